package io.flod.terraform.resource;

/**
 * A failure to report to the user as an error diagnostic, attached to {@code attribute} (a
 * top-level attribute name) when one attribute is at fault.
 */
public final class ProviderException extends RuntimeException {
  private final String summary;
  private final String attribute;
  private final int httpStatus;

  public ProviderException(String summary, String detail, String attribute) {
    this(summary, detail, attribute, 0);
  }

  /** A failure the API answered with HTTP {@code httpStatus}. */
  public ProviderException(String summary, String detail, String attribute, int httpStatus) {
    super(detail);
    this.summary = summary;
    this.attribute = attribute;
    this.httpStatus = httpStatus;
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

  /** True when the API answered with this HTTP status (404 gone, 409 exists). */
  public boolean isHttp(int status) {
    return httpStatus == status;
  }
}
