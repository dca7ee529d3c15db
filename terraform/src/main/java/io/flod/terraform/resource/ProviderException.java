package io.flod.terraform.resource;

/**
 * A failure to report to the user as an error diagnostic, attached to {@code attribute} (a
 * top-level attribute name) when one attribute is at fault.
 */
public final class ProviderException extends RuntimeException {
  private final String summary;
  private final String attribute;

  public ProviderException(String summary, String detail, String attribute) {
    super(detail);
    this.summary = summary;
    this.attribute = attribute;
  }

  public ProviderException(String summary, String detail) {
    this(summary, detail, null);
  }

  public String summary() {
    return summary;
  }

  public String attribute() {
    return attribute;
  }
}
