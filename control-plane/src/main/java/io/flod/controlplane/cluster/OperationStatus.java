package io.flod.controlplane.cluster;

/**
 * An operation's life: {@code InProgress} to exactly one of {@code Succeeded}, {@code Failed} or
 * {@code Canceled}; a finished operation never changes again.
 */
public enum OperationStatus {
  IN_PROGRESS("InProgress"),
  SUCCEEDED("Succeeded"),
  FAILED("Failed"),
  CANCELED("Canceled");

  private final String apiName;

  OperationStatus(String apiName) {
    this.apiName = apiName;
  }

  public String apiName() {
    return apiName;
  }

  public boolean finished() {
    return this != IN_PROGRESS;
  }
}
