package io.flod.broker.group;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;

/** Small conversions between the wire messages and the coordinator's types. */
public final class GroupProtocols {
  private GroupProtocols() {}

  public static List<MemberProtocol> protocols(Iterable<JoinGroupRequestProtocol> offered) {
    List<MemberProtocol> protocols = new ArrayList<>();
    for (JoinGroupRequestProtocol p : offered) {
      protocols.add(new MemberProtocol(p.name(), p.metadata()));
    }
    return protocols;
  }

  /** "/10.0.0.1:53211" → "/10.0.0.1", as Kafka reports a member's host. */
  public static String clientHost(String clientAddress) {
    int colon = clientAddress.lastIndexOf(':');
    return colon > 0 ? clientAddress.substring(0, colon) : clientAddress;
  }
}
