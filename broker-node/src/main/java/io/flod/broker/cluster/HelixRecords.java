package io.flod.broker.cluster;

import java.util.function.Consumer;
import org.apache.helix.AccessOption;
import org.apache.helix.HelixManager;
import org.apache.helix.zookeeper.datamodel.ZNRecord;

/** Read-modify-write of one existing Helix record (ideal state, instance config) by path. */
final class HelixRecords {
  private HelixRecords() {}

  /**
   * Applies {@code change} to the record at {@code path} with Helix's versioned update (retried on
   * a concurrent write); a missing record is left missing. False if the update did not happen.
   */
  static boolean updateExisting(HelixManager manager, String path, Consumer<ZNRecord> change) {
    return manager
        .getHelixDataAccessor()
        .getBaseDataAccessor()
        .update(
            path,
            record -> {
              if (record != null) {
                change.accept(record);
              }
              return record;
            },
            AccessOption.PERSISTENT);
  }
}
