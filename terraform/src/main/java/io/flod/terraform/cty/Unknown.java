package io.flod.terraform.cty;

/**
 * A value not known until apply ("known after apply"). Values are plain Java objects: null, this
 * marker, String, BigDecimal, Boolean, List, or Map (for maps and objects).
 */
public enum Unknown {
  VALUE;

  @Override
  public String toString() {
    return "(known after apply)";
  }
}
