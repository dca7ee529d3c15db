package io.flod.broker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md: a broker never calls the control plane (on a request path or anywhere: what it
 * needs reaches it through ZooKeeper), and the SAS rules, tokens and rights depend on neither side.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.flod.broker");

  @Test
  void aBrokerNeverCallsTheControlPlane() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.flod.controlplane..", "io.flod.agent..", "io.flod.api.client..")
        .check(MAIN);
  }

  @Test
  void sasTokensRulesAndRightsAreIndependentOfTheDataPlane() {
    noClasses()
        .that()
        .haveNameMatching("io\\.flod\\.broker\\.auth\\.(SasToken|SasRule|SasRuleBook|Right).*")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.flod.broker.network..",
            "io.flod.broker.log..",
            "io.flod.broker.cluster..",
            "org.apache.helix..",
            "io.netty..")
        .check(MAIN);
  }
}
