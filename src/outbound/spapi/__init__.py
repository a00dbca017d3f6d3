"""The Selling Partner API adapter: Fulfillment Outbound 2020-07-01 over JSON, and the LWA token endpoint."""
