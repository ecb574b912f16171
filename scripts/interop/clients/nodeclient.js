// A tiny producer + consumer for the interop client captures (scripts/interop/record-clients.sh),
// with KafkaJS or the legacy kafka-node (NODE_PATH points at the cache's node_modules).
// usage: node nodeclient.js kafkajs|kafka-node BOOTSTRAP TOPIC GROUP COUNT TIMEOUT_MS
'use strict';
const [lib, bootstrap, topic, group, countS, msS] = process.argv.slice(2);
const count = parseInt(countS, 10), ms = parseInt(msS, 10);
let sent = 0, got = 0;
const finish = () => {
  console.log('produced', sent);
  console.log('consumed', got);
  process.exit(sent === count && got >= count ? 0 : 1);
};
setTimeout(() => { console.log('timeout'); finish(); }, ms + 15000).unref();

async function kafkajs() {
  const { Kafka, logLevel } = require('kafkajs');
  const k = new Kafka({ clientId: 'interop-kafkajs', brokers: [bootstrap], logLevel: logLevel.WARN,
                        connectionTimeout: 5000, retry: { retries: 2 } });
  const p = k.producer();
  try {
    await p.connect();
    for (let i = 0; i < count; i++) {
      await p.send({ topic, messages: [{ key: 'k' + i, value: 'interop-message-' + i }] });
      sent++;
    }
  } catch (e) { console.log('produce failed:', e.message); }
  await p.disconnect().catch(() => {});
  const c = k.consumer({ groupId: group });
  try {
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      c.run({ eachMessage: async () => { got++; if (got >= count) { clearTimeout(t); resolve(); } } })
        .catch((e) => { console.log('consume failed:', e.message); clearTimeout(t); resolve(); });
    });
  } catch (e) { console.log('consume failed:', e.message); }
  await c.disconnect().catch(() => {});
  finish();
}

function kafkaNode() {
  const kn = require('kafka-node');
  const client = new kn.KafkaClient({ kafkaHost: bootstrap, connectTimeout: 5000, requestTimeout: 10000 });
  const p = new kn.Producer(client);
  const consume = () => {
    const cg = new kn.ConsumerGroup({ kafkaHost: bootstrap, groupId: group, fromOffset: 'earliest',
                                      sessionTimeout: 10000, protocol: ['roundrobin'] }, [topic]);
    const t = setTimeout(() => cg.close(true, finish), ms);
    cg.on('message', () => { got++; if (got >= count) { clearTimeout(t); cg.close(true, finish); } });
    cg.on('error', (e) => console.log('consume error:', e.message || e));
  };
  p.on('error', (e) => console.log('produce error:', e.message || e));
  p.on('ready', () => {
    const msgs = [];
    for (let i = 0; i < count; i++) msgs.push(new kn.KeyedMessage('k' + i, 'interop-message-' + i));
    p.send([{ topic, messages: msgs }], (err) => {
      if (err) console.log('produce failed:', err.message || err); else sent = count;
      client.close(consume);
    });
  });
  setTimeout(() => { if (!sent) { console.log('produce: no ready/answer'); client.close(consume); } }, ms).unref();
}

if (lib === 'kafkajs') kafkajs(); else if (lib === 'kafka-node') kafkaNode();
else { console.error('usage: nodeclient.js kafkajs|kafka-node BOOTSTRAP TOPIC GROUP COUNT TIMEOUT_MS'); process.exit(2); }
