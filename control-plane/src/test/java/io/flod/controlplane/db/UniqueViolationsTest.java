package io.flod.controlplane.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.hibernate.exception.ConstraintViolationException;
import org.junit.jupiter.api.Test;

class UniqueViolationsTest {
  private static RuntimeException duplicateKey() {
    // As Hibernate reports PostgreSQL's unique_violation at commit: wrapped, kind UNIQUE.
    SQLException sql = new SQLException("duplicate key value violates unique constraint", "23505");
    return new PersistenceException(
        "commit failed",
        new ConstraintViolationException(
            "insert failed",
            sql,
            "insert into tenants",
            ConstraintViolationException.ConstraintKind.UNIQUE,
            "tenants_name_key"));
  }

  @Test
  void aUniqueViolationIsRecognisedThroughItsWrappersAndOtherConstraintsAreNot() {
    assertTrue(UniqueViolations.is(duplicateKey()));
    assertTrue(UniqueViolations.is(new RuntimeException(new SQLException("dup", "23505"))));
    assertFalse(
        UniqueViolations.is(new RuntimeException(new SQLException("no such parent", "23503"))),
        "a foreign-key violation is not a name collision");
    assertFalse(UniqueViolations.is(new IllegalStateException("other")));
  }

  @Test
  void aCollidingTransactionRunsOnceMoreAndAnyOtherFailureIsNotRetried() {
    AtomicInteger runs = new AtomicInteger();
    String answer =
        UniqueViolations.retryOnce(
            "test",
            () -> {
              if (runs.incrementAndGet() == 1) {
                throw duplicateKey();
              }
              return "what the winner made";
            });
    assertEquals("what the winner made", answer);
    assertEquals(2, runs.get());

    runs.set(0);
    IllegalStateException other = new IllegalStateException("not a collision");
    assertSame(
        other,
        assertThrows(
            IllegalStateException.class,
            () ->
                UniqueViolations.retryOnce(
                    "test",
                    () -> {
                      runs.incrementAndGet();
                      throw other;
                    })));
    assertEquals(1, runs.get());

    runs.set(0);
    assertThrows(
        PersistenceException.class,
        () ->
            UniqueViolations.retryOnce(
                "test",
                () -> {
                  runs.incrementAndGet();
                  throw duplicateKey();
                }));
    assertEquals(2, runs.get(), "once more, not forever; ProblemMapper makes the rest a 409");
  }
}
