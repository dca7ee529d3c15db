import java.io.FileWriter;
import java.io.PrintWriter;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes to partition 0 of a topic, one acks=all record at a time with an idempotent producer,
 * and logs "send-ms ack-ms" (wall clock) per acknowledged record, so that the time from a kill to
 * the first acknowledged write sent after it can be read off. Runs until killed.
 *
 * <p>java -cp 'bench/lib/*' bench/FailoverProbe.java BOOTSTRAP TOPIC OUT-FILE
 */
public class FailoverProbe {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    byte[] value = new byte[100];
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        PrintWriter out = new PrintWriter(new FileWriter(args[2]), true)) {
      while (true) {
        long sent = System.currentTimeMillis();
        try {
          producer.send(new ProducerRecord<>(args[1], 0, null, value)).get();
          out.println(sent + " " + System.currentTimeMillis());
        } catch (Exception e) {
          out.println("# " + sent + " failed: " + e.getCause());
        }
      }
    }
  }
}
