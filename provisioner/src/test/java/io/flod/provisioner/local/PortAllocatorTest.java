package io.flod.provisioner.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The local provider's ports: never one port to two machines, also when the OS hands the same free
 * port out again (which it does once the probing socket is closed) and when machines are made from
 * many threads at once.
 */
class PortAllocatorTest {
  @Test
  void aPortTheOsHandsOutAgainIsSkipped() {
    AtomicInteger calls = new AtomicInteger();
    int[] os = {40001, 40001, 40002, 40001, 40002, 40003};
    PortAllocator ports = new PortAllocator(() -> os[calls.getAndIncrement()]);
    assertEquals(List.of(40001, 40002, 40003), List.of(ports.next(), ports.next(), ports.next()));
  }

  @Test
  void reservedPortsAreSkippedAndReleasedOnesComeBack() {
    int[] os = {40001, 40002, 40001};
    AtomicInteger calls = new AtomicInteger();
    PortAllocator ports = new PortAllocator(() -> os[calls.getAndIncrement()]);
    ports.reserve(40001); // a machine found on disk
    assertEquals(40002, ports.next());
    ports.release(40001);
    assertFalse(ports.held(40001));
    assertEquals(40001, ports.next());
    PortAllocator onlyOne = new PortAllocator(() -> 40001);
    onlyOne.next();
    assertThrows(IllegalStateException.class, onlyOne::next, "no port left that nobody holds");
  }

  @Test
  void fortyPortsForTwentyMachinesMadeAtOnceAreDistinct() throws Exception {
    PortAllocator ports = new PortAllocator();
    Set<Integer> given = ConcurrentHashMap.newKeySet();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> machines = new ArrayList<>();
      for (int m = 0; m < 20; m++) {
        machines.add(
            threads.submit(
                () -> {
                  assertTrue(given.add(ports.next()));
                  assertTrue(given.add(ports.next()));
                }));
      }
      for (Future<?> f : machines) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    assertEquals(40, new HashSet<>(given).size());
  }
}
