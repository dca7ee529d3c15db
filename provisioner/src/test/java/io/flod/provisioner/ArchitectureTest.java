package io.flod.provisioner;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** ARCHITECTURE.md: {@code provisioner/} must not know about topics, tenants or Helix. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.flod.provisioner");

  @Test
  void machinesKnowNothingOfTopicsTenantsOrHelix() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.helix..",
            "org.apache.zookeeper..",
            "org.apache.kafka..",
            "io.flod.broker..",
            "io.flod.controlplane..")
        .check(MAIN);
  }
}
