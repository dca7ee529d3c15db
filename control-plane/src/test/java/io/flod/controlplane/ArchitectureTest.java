package io.flod.controlplane;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md: the control plane reaches machines only through {@code provisioner/} and brokers
 * only through Helix/ZooKeeper and the Kafka protocol (never a broker's internals); its pure
 * decisions (the scale plan, the healing plan) do no I/O.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.flod.controlplane");

  @Test
  void machinesOnlyThroughTheProvisioner() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("org.jclouds..").check(MAIN);
  }

  @Test
  void brokersOnlyThroughHelixZooKeeperAndTheKafkaProtocol() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.flod.broker.network..",
            "io.flod.broker.log..",
            "io.flod.broker.api..",
            "io.flod.broker.partition..",
            "io.flod.broker.replication..",
            "io.flod.broker.group..",
            "io.flod.agent..")
        .check(MAIN);
  }

  @Test
  void theScaleAndHealingPlansArePureDecisions() {
    noClasses()
        .that()
        .haveNameMatching("io\\.flod\\.controlplane\\.cluster\\.(NodePlan|HealingPlan)(\\$.*)?")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.io..",
            "java.nio.file..",
            "java.net..",
            "java.sql..",
            "org.hibernate..",
            "org.apache.helix..",
            "org.apache.zookeeper..",
            "io.flod.provisioner..",
            "io.flod.controlplane.fleet..",
            "io.flod.controlplane.db..")
        .check(MAIN);
  }
}
