"""Delivering notifications: the outbox rows (``store/notifications.py``) rendered as SP-API JSON or MWS XML
(:mod:`.render`), sent to SQS queues or webhooks (:mod:`.sinks`), by a loop that runs beside the engine in its own
thread or process (:mod:`.deliverer`)."""
