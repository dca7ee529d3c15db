package io.flod.terraform;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md: the Terraform provider uses the REST API only, never the database or ZooKeeper.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.flod.terraform");

  @Test
  void theProviderReachesFlodThroughTheRestApiOnly() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.sql..",
            "org.hibernate..",
            "org.postgresql..",
            "org.apache.zookeeper..",
            "org.apache.helix..",
            "io.flod.controlplane..",
            "io.flod.broker..")
        .check(MAIN);
  }
}
