package io.flod.provisioner;

import java.util.Map;

/**
 * Some machines could not be made. The ones that were made are kept (a later {@code ensure} finds
 * them); the failed ones are cleaned up. {@code failures} maps node id to the provider's reason.
 */
public final class ProvisioningException extends RuntimeException {
  private final Map<String, String> failures;

  public ProvisioningException(Map<String, String> failures) {
    super("the provider could not create " + failures.keySet() + ": " + failures);
    this.failures = Map.copyOf(failures);
  }

  public Map<String, String> failures() {
    return failures;
  }
}
