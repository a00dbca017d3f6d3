// Runs npm amazon-sp-api against a local Outbound server: getFulfillmentOrder, a wait past the access token's
// expiry, getFulfillmentOrder again. The client renews the token by itself on the 403 that says it has expired.
//
// The client always builds https://sellingpartnerapi-<region>.amazon.com and https://api.amazon.com/auth/o2/token
// URLs; its `https_proxy_agent` option is the one way in: this agent hands every request a plain TCP connection to
// the local server (which ignores the Host header), so both the API calls and the token exchange reach it.
'use strict';

const http = require('http');
const net = require('net');
const {SellingPartner} = require('amazon-sp-api');

class LocalAgent extends http.Agent {
  constructor(port) {
    super({keepAlive: false});
    this.protocol = 'https:'; // what https.request expects of its agent
    this.localPort = port;
  }

  createConnection() {
    return net.connect(this.localPort, '127.0.0.1');
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const config = JSON.parse(process.argv[2]);
  const sp = new SellingPartner({
    region: 'na',
    refresh_token: config.refresh_token,
    credentials: {
      SELLING_PARTNER_APP_CLIENT_ID: config.client_id,
      SELLING_PARTNER_APP_CLIENT_SECRET: config.client_secret
    },
    options: {
      https_proxy_agent: new LocalAgent(config.port),
      auto_request_tokens: true,
      auto_request_throttled: false
    }
  });
  const get = () =>
    sp.callAPI({
      operation: 'getFulfillmentOrder',
      endpoint: 'fulfillmentOutbound',
      path: {sellerFulfillmentOrderId: config.order_id}
    });
  const first = await get();
  const firstToken = sp.access_token;
  await sleep(config.wait_ms);
  const second = await get();
  process.stdout.write(
    JSON.stringify({
      first_status: first.fulfillmentOrder.fulfillmentOrderStatus,
      second_status: second.fulfillmentOrder.fulfillmentOrderStatus,
      first_token: firstToken,
      second_token: sp.access_token
    }) + '\n'
  );
}

main().catch((err) => {
  process.stderr.write(`${err.code || ''}: ${err.message || err}\n`);
  process.exit(1);
});
