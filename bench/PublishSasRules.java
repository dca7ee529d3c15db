import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasRule;
import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.cluster.RecordSeal;
import io.flod.broker.cluster.ZkSasRules;
import java.util.List;
import java.util.Set;
import org.apache.helix.HelixManager;
import org.apache.helix.HelixManagerFactory;
import org.apache.helix.InstanceType;

/**
 * Publishes one SAS rule (send, listen, manage) and a broker secret for a Flod cluster, as the
 * control plane does, so that bench/sas-run can drive a SASL broker without a control plane.
 * The rules are sealed with RULES_KEY (base64, 32 bytes), which the brokers get as sas.rules.key.
 * Usage: java -cp FLOD_CP PublishSasRules.java ZK CLUSTER RULE KEY BROKER_SECRET RULES_KEY
 */
public class PublishSasRules {
  public static void main(String[] args) throws Exception {
    HelixManager spectator =
        HelixManagerFactory.getZKHelixManager(
            args[1], "bench-sas-rules", InstanceType.SPECTATOR, args[0]);
    spectator.connect();
    try {
      new ZkSasRules(spectator.getHelixPropertyStore(), RecordSeal.fromBase64(args[5]), args[1])
          .publish(
              SasRuleBook.of(
                  List.of(
                      new SasRule(
                          args[2],
                          null,
                          Set.of(Right.SEND, Right.LISTEN, Right.MANAGE),
                          args[3],
                          args[3] + "-secondary")),
                  args[4]));
    } finally {
      spectator.disconnect();
    }
  }
}
