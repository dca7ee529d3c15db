package io.flod.controlplane.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flod.controlplane.tenant.Tenant;
import jakarta.persistence.OptimisticLockException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane's own PostgreSQL, migrations and Hibernate, against the real server. */
class OwnedPostgresIT {
  @TempDir Path dataDir;

  @Test
  void dataSurvivesARestartOfTheOwnedServerAndStaleVersionsAreRefused() {
    UUID id;
    try (OwnedPostgres postgres = OwnedPostgres.start(dataDir, 0);
        Database db = Database.open(postgres.jdbcUrl(), postgres.user(), "")) {
      String version =
          db.sessions()
              .fromSession(
                  s -> s.createNativeQuery("SHOW server_version", String.class).getSingleResult());
      assertTrue(
          version.startsWith("17."), "PostgreSQL 17 from the pinned binaries, got " + version);
      Tenant tenant = new Tenant("contoso", "Contoso Ltd", Instant.parse("2026-01-01T00:00:00Z"));
      db.sessions().inTransaction(s -> s.persist(tenant));
      id = tenant.id();
    }
    try (OwnedPostgres postgres = OwnedPostgres.start(dataDir, 0);
        Database db = Database.open(postgres.jdbcUrl(), postgres.user(), "")) {
      Tenant found = db.sessions().fromSession(s -> s.find(Tenant.class, id));
      assertEquals("contoso", found.name(), "the tenant is still there after a restart");
      assertEquals(0, found.version());

      // Two writers read version 0; the second to commit must fail, not overwrite.
      try (Session first = db.sessions().openSession();
          Session second = db.sessions().openSession()) {
        Tenant a = first.find(Tenant.class, id);
        Tenant b = second.find(Tenant.class, id);
        first.beginTransaction();
        a.rename("Contoso");
        first.getTransaction().commit();
        second.beginTransaction();
        b.rename("Contoso Corporation");
        assertThrows(OptimisticLockException.class, () -> second.getTransaction().commit());
      }
      assertEquals(
          "Contoso", db.sessions().fromSession(s -> s.find(Tenant.class, id)).displayName());
      assertEquals(1, db.sessions().fromSession(s -> s.find(Tenant.class, id)).version());
    }
  }
}
