"""The domain: plain Python rules of the fulfillment network. No HTTP, no SQL, no wall clock."""
