#!/usr/bin/env python3
"""A tiny producer + consumer for the interop client captures
(scripts/interop/record-clients.sh), with kafka-python or confluent-kafka,
whichever the running venv has.

usage: pyclient.py kafka-python|confluent-kafka BOOTSTRAP TOPIC GROUP COUNT TIMEOUT_MS
       pyclient.py create-topics BOOTSTRAP TOPIC...   (kafka-python admin)
Prints one line per step; exit 0 when COUNT messages went out and came back.
"""
import sys
import time


def kafka_python(bootstrap, topic, group, count, timeout_ms):
    import kafka
    sent = got = 0
    try:
        p = kafka.KafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=10000,
                                max_block_ms=timeout_ms)
        for i in range(count):
            p.send(topic, key=b"k%d" % i, value=b"interop-message-%d" % i).get(timeout=timeout_ms / 1000)
            sent += 1
        p.close(timeout=5)
    except Exception as e:  # the failure is the result
        print("produce failed: %r" % e)
    print("produced", sent)
    try:
        c = kafka.KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                auto_offset_reset="earliest", consumer_timeout_ms=timeout_ms,
                                request_timeout_ms=max(timeout_ms + 1000, 30001))
        for _ in c:
            got += 1
            if got >= count:
                break
        if got:
            c.commit()
        c.close()
    except Exception as e:
        print("consume failed: %r" % e)
    print("consumed", got)
    return sent == count and got >= count


def confluent(bootstrap, topic, group, count, timeout_ms):
    import confluent_kafka as ck
    sent = got = 0
    errs = []
    p = ck.Producer({"bootstrap.servers": bootstrap, "message.timeout.ms": timeout_ms})

    def dr(err, _msg):
        if err:
            errs.append(err)
    for i in range(count):
        p.produce(topic, key=b"k%d" % i, value=b"interop-message-%d" % i, on_delivery=dr)
    left = p.flush(timeout_ms / 1000)
    sent = count - left - len(errs)
    for e in errs[:3]:
        print("produce failed:", e)
    print("produced", sent)
    c = ck.Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                     "enable.auto.commit": False})
    c.subscribe([topic])
    end = time.time() + timeout_ms / 1000
    while got < count and time.time() < end:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            print("consume error:", m.error())
            continue
        got += 1
    if got:
        try:
            c.commit(asynchronous=False)
        except Exception as e:
            print("commit failed: %r" % e)
    c.close()
    print("consumed", got)
    return sent == count and got >= count


def create_topics(bootstrap, names):
    import kafka.admin
    from kafka.errors import TopicAlreadyExistsError
    a = kafka.admin.KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=20000)
    try:
        a.create_topics([kafka.admin.NewTopic(n, 1, 1) for n in names], timeout_ms=20000)
    except TopicAlreadyExistsError:
        pass
    a.close()
    return True


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "create-topics":
        return 0 if create_topics(sys.argv[2], sys.argv[3:]) else 1
    if len(sys.argv) != 7 or sys.argv[1] not in ("kafka-python", "confluent-kafka"):
        print(__doc__, file=sys.stderr)
        return 2
    f = kafka_python if sys.argv[1] == "kafka-python" else confluent
    return 0 if f(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])) else 1


if __name__ == "__main__":
    sys.exit(main())
