// A tiny producer + consumer for the interop client captures (scripts/interop/record-clients.sh).
// Compiled by javac against each kafka-clients version (2.0 to 4.x: only APIs present in all of them).
// usage: InteropClient BOOTSTRAP TOPIC GROUP COUNT TIMEOUT_MS
// Prints one line per step; exit 0 when COUNT messages went out and came back, 1 otherwise.
import java.time.Duration;
import java.util.Collections;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

public class InteropClient {
  public static void main(String[] a) {
    String bootstrap = a[0], topic = a[1], group = a[2];
    int count = Integer.parseInt(a[3]);
    long timeoutMs = Long.parseLong(a[4]);
    String ser = "org.apache.kafka.common.serialization.StringSerializer";
    String de = "org.apache.kafka.common.serialization.StringDeserializer";
    int sent = 0, got = 0;
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.serializer", ser);
    p.put("value.serializer", ser);
    p.put("max.block.ms", Long.toString(timeoutMs));
    p.put("request.timeout.ms", "10000");
    p.put("delivery.timeout.ms", "12000");
    try (KafkaProducer<String, String> pr = new KafkaProducer<>(p)) {
      for (int i = 0; i < count; i++) {
        pr.send(new ProducerRecord<>(topic, "k" + i, "interop-message-" + i)).get();
        sent++;
      }
      System.out.println("produced " + sent);
    } catch (Exception e) {
      System.out.println("produce failed: " + e);
    }
    Properties c = new Properties();
    c.put("bootstrap.servers", bootstrap);
    c.put("group.id", group);
    c.put("auto.offset.reset", "earliest");
    c.put("key.deserializer", de);
    c.put("value.deserializer", de);
    c.put("request.timeout.ms", "10000");
    c.put("default.api.timeout.ms", Long.toString(timeoutMs));
    long end = System.currentTimeMillis() + timeoutMs;
    try (KafkaConsumer<String, String> co = new KafkaConsumer<>(c)) {
      co.subscribe(Collections.singletonList(topic));
      while (got < count && System.currentTimeMillis() < end) {
        ConsumerRecords<String, String> rs = co.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, String> r : rs) got++;
      }
      if (got > 0) co.commitSync();
      System.out.println("consumed " + got);
    } catch (Exception e) {
      System.out.println("consume failed: " + e);
    }
    System.exit(sent == count && got >= count ? 0 : 1);
  }
}
