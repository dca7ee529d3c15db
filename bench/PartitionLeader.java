import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Prints "LEADER-ID ISR-SIZE" for partition 0 of a topic ("-1 0" if it has no leader).
 *
 * <p>java -cp 'bench/lib/*' bench/PartitionLeader.java BOOTSTRAP TOPIC
 */
public class PartitionLeader {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(props)) {
      TopicPartitionInfo info =
          admin.describeTopics(List.of(args[1])).allTopicNames().get().get(args[1]).partitions().get(0);
      System.out.println(
          (info.leader() == null || info.leader().id() < 0 ? -1 : info.leader().id())
              + " "
              + info.isr().size());
    }
  }
}
