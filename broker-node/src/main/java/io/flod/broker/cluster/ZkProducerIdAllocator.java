package io.flod.broker.cluster;

import io.flod.broker.producer.ProducerIdAllocator;
import org.apache.helix.AccessOption;
import org.apache.helix.store.HelixPropertyStore;
import org.apache.helix.zookeeper.datamodel.ZNRecord;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.zookeeper.data.Stat;

/**
 * Producer ids unique across the brokers of a cluster: each broker reserves blocks of ids with a
 * compare-and-set on one counter in ZooKeeper, so two producers never share an id even when they
 * ask different brokers (a partition's idempotence state is keyed by producer id).
 */
public final class ZkProducerIdAllocator implements ProducerIdAllocator {
  private static final long BLOCK_SIZE = 1000;
  private final HelixPropertyStore<ZNRecord> store;
  private long next;
  private long blockEnd;

  public ZkProducerIdAllocator(HelixPropertyStore<ZNRecord> store) {
    this.store = store;
  }

  @Override
  public synchronized long nextProducerId() {
    if (next >= blockEnd) {
      reserveBlock();
    }
    return next++;
  }

  private void reserveBlock() {
    for (int attempt = 0; attempt < 20; attempt++) {
      Stat stat = new Stat();
      ZNRecord record = store.get(ClusterPaths.PRODUCER_IDS, stat, 0);
      if (record == null) {
        ZNRecord first = new ZNRecord("producer-ids");
        first.setLongField("blockEnd", BLOCK_SIZE);
        if (store.create(ClusterPaths.PRODUCER_IDS, first, AccessOption.PERSISTENT)) {
          next = 0;
          blockEnd = BLOCK_SIZE;
          return;
        }
        continue;
      }
      long start = record.getLongField("blockEnd", 0);
      record.setLongField("blockEnd", start + BLOCK_SIZE);
      if (store.set(
          ClusterPaths.PRODUCER_IDS, record, stat.getVersion(), AccessOption.PERSISTENT)) {
        next = start;
        blockEnd = start + BLOCK_SIZE;
        return;
      }
    }
    throw new CoordinatorNotAvailableException("cannot reserve producer ids; try again");
  }
}
