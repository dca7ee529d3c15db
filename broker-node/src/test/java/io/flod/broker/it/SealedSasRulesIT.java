package io.flod.broker.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.broker.auth.Right;
import io.flod.broker.auth.SasRule;
import io.flod.broker.auth.SasRuleBook;
import io.flod.broker.cluster.RecordSeal;
import io.flod.broker.cluster.ZkSasRules;
import io.flod.broker.support.ClusterTest;
import io.flod.broker.support.TestCluster;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.helix.zookeeper.datamodel.serializer.ZNRecordSerializer;
import org.apache.helix.zookeeper.impl.client.ZkClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

/**
 * A cluster's SAS rules sit in ZooKeeper sealed with the cluster's own key: whoever reads ZooKeeper
 * without it (another cluster's machines) sees no key and no broker secret, and rules written
 * without it (forged to grant access) are ignored by the brokers.
 */
class SealedSasRulesIT extends ClusterTest {
  private static final String ROOT =
      "Endpoint=sb://ns.acme.flod/;SharedAccessKeyName=root;SharedAccessKey=root-key-1";

  @Test
  void rulesInZooKeeperShowNoSecretAndForgedRulesAreIgnored() throws Exception {
    SasRuleBook.Snapshot rules =
        SasRuleBook.of(
            List.of(
                new SasRule(
                    "root",
                    null,
                    Set.of(Right.SEND, Right.LISTEN, Right.MANAGE),
                    "root-key-1",
                    "root-key-2")),
            "broker-secret-for-tests");
    cluster = TestCluster.startWithSas(dir, "sealed-it", 1, rules, ROOT);
    cluster.createTopic("t", 1, 1, java.util.Map.of());

    // What any ZooKeeper client reads at the rules' path: sealed bytes only.
    String path = "/sealed-it/PROPERTYSTORE/flod/sas-rules";
    ZkClient zk = new ZkClient(cluster.zkConnect());
    try {
      zk.setZkSerializer(new ZNRecordSerializer());
      ZNRecord stored = zk.readData(path);
      String raw = new String(new ZNRecordSerializer().serialize(stored), StandardCharsets.UTF_8);
      for (String secret : List.of("root-key-1", "root-key-2", "broker-secret-for-tests")) {
        assertFalse(raw.contains(secret), secret + " is in clear in ZooKeeper: " + raw);
      }
      // Another cluster's key does not open them.
      ZkSasRules withAnotherKey =
          new ZkSasRules(
              new org.apache.helix.store.zk.ZkHelixPropertyStore<>(
                  cluster.zkConnect(), new ZNRecordSerializer(), "/sealed-it/PROPERTYSTORE"),
              RecordSeal.fromBase64(RecordSeal.newKeyBase64()),
              "sealed-it");
      assertThrows(IllegalArgumentException.class, withAnotherKey::read);

      // Rules forged without the key, granting a key of the forger's choosing: ignored.
      withAnotherKey.publish(
          SasRuleBook.of(
              List.of(
                  new SasRule("root", null, Set.of(Right.MANAGE), "forged-key", "forged-key-2")),
              "forged-secret"));
      String forged =
          "Endpoint=sb://ns.acme.flod/;SharedAccessKeyName=root;SharedAccessKey=forged-key";
      // The broker re-reads every second: across several reads of the forged record, its key
      // never opens the cluster.
      org.awaitility.Awaitility.await()
          .during(java.time.Duration.ofSeconds(4))
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> refused(forged));
      try (Admin admin = admin(ROOT)) {
        assertTrue(admin.listTopics().names().get(20, TimeUnit.SECONDS).contains("t"));
      }
    } finally {
      zk.close();
    }
  }

  private boolean refused(String connectionString) {
    try (Admin admin = admin(connectionString)) {
      admin.listTopics().names().get(20, TimeUnit.SECONDS);
      return false;
    } catch (ExecutionException e) {
      return e.getCause() instanceof SaslAuthenticationException;
    } catch (Exception e) {
      return false;
    }
  }

  private Admin admin(String connectionString) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    props.putAll(TestCluster.saslPlain(connectionString));
    return Admin.create(props);
  }
}
