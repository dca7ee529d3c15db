package io.flod.controlplane.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.flod.controlplane.tenant.Tenant;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;

/**
 * The control plane's database: a HikariCP pool, the schema brought up to date by Flyway's
 * versioned migrations ({@code db/migration/V*.sql}) before anything else touches it, and a
 * Hibernate session factory that validates its entities against that schema (it never creates or
 * alters tables itself).
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final SessionFactory sessions;

  private Database(HikariDataSource dataSource, SessionFactory sessions) {
    this.dataSource = dataSource;
    this.sessions = sessions;
  }

  public static Database open(String jdbcUrl, String user, String password) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(jdbcUrl);
    pool.setUsername(user);
    pool.setPassword(password);
    pool.setMaximumPoolSize(10);
    pool.setPoolName("flod-control-plane");
    HikariDataSource dataSource = new HikariDataSource(pool);
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .load()
          .migrate();
      StandardServiceRegistry registry =
          new StandardServiceRegistryBuilder()
              .applySettings(
                  Map.of(
                      AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, dataSource,
                      AvailableSettings.HBM2DDL_AUTO, "validate",
                      AvailableSettings.SHOW_SQL, "false"))
              .build();
      SessionFactory sessions =
          new MetadataSources(registry)
              .addAnnotatedClass(Tenant.class)
              .addAnnotatedClass(io.flod.controlplane.tenant.ApiKey.class)
              .addAnnotatedClass(io.flod.controlplane.cluster.Cluster.class)
              .addAnnotatedClass(io.flod.controlplane.cluster.Operation.class)
              .addAnnotatedClass(io.flod.controlplane.topic.Topic.class)
              .addAnnotatedClass(io.flod.controlplane.sas.RevokedPublisher.class)
              .addAnnotatedClass(io.flod.controlplane.sas.AuthorizationRule.class)
              .addAnnotatedClass(io.flod.controlplane.group.ConsumerGroupEntity.class)
              .addAnnotatedClass(io.flod.controlplane.node.ClusterNode.class)
              .buildMetadata()
              .buildSessionFactory();
      return new Database(dataSource, sessions);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  public SessionFactory sessions() {
    return sessions;
  }

  @Override
  public void close() {
    sessions.close();
    dataSource.close();
  }
}
