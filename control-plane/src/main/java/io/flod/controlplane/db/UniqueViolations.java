package io.flod.controlplane.db;

import java.sql.SQLException;
import java.util.function.Supplier;
import org.hibernate.JDBCException;
import org.hibernate.exception.ConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two requests that create the same name at the same time both pass the "does it exist?" check
 * (neither sees the other's uncommitted row); the database's unique constraint lets only one
 * commit, and the other's insert fails with SQLSTATE 23505 once the first has committed. Creates
 * run through {@link #retryOnce}: the loser's transaction runs again, now sees the winner's row,
 * and answers as a sequential request would (409, the first operation of an {@code
 * Idempotency-Key}, or the row that already exists). A violation that survives the retry becomes a
 * 409 in {@code ProblemMapper}, never a 500.
 */
public final class UniqueViolations {
  private static final Logger log = LoggerFactory.getLogger(UniqueViolations.class);

  /** PostgreSQL's (and the SQL standard's) unique_violation. */
  private static final String UNIQUE_VIOLATION = "23505";

  private UniqueViolations() {}

  /** Whether {@code error}, or one of its causes, is a unique constraint violated at write time. */
  public static boolean is(Throwable error) {
    // A bounded walk: a cause chain can, in principle, loop.
    Throwable cause = error;
    for (int depth = 0; cause != null && depth < 32; depth++, cause = cause.getCause()) {
      if (cause instanceof ConstraintViolationException violation
          && violation.getKind() == ConstraintViolationException.ConstraintKind.UNIQUE) {
        return true;
      }
      if (cause instanceof JDBCException jdbc && UNIQUE_VIOLATION.equals(jdbc.getSQLState())) {
        return true;
      }
      if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs {@code transaction}, and once more if a concurrent request committed the same unique key
   * first. {@code transaction} must be one whole transaction whose effects outside the database, if
   * any, come only after its colliding insert has been flushed (as {@code TopicService} places a
   * topic after {@code flush()}), so a run that collides has done nothing else and running it again
   * is safe.
   */
  public static <T> T retryOnce(String what, Supplier<T> transaction) {
    try {
      return transaction.get();
    } catch (RuntimeException e) {
      if (!is(e)) {
        throw e;
      }
      log.info("{}: a concurrent request committed the same name first; reading it again", what);
      return transaction.get();
    }
  }
}
