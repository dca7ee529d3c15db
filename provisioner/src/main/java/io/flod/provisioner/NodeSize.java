package io.flod.provisioner;

/** What a cluster's {@code nodeSize} means in machine terms. */
public enum NodeSize {
  SMALL(2, 4096),
  STANDARD(4, 16384),
  LARGE(8, 32768);

  private final int cores;
  private final int ramMb;

  NodeSize(int cores, int ramMb) {
    this.cores = cores;
    this.ramMb = ramMb;
  }

  public int cores() {
    return cores;
  }

  public int ramMb() {
    return ramMb;
  }

  /** small, standard or large, as the API spells them. */
  public static NodeSize of(String apiName) {
    return valueOf(apiName.toUpperCase(java.util.Locale.ROOT));
  }

  public String apiName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
