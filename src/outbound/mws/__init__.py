"""The MWS wire protocol: query parameters, Signature Version 2, XML, errors and throttling."""
