package dev.tasksync.presence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.fanout.Frame;
import dev.tasksync.replication.SidecarPublisher;
import dev.tasksync.wire.ServerMessages;
import io.dapr.client.DaprClientBuilder;
import io.dapr.config.Properties;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishing presence waits for the sidecar; a sidecar that accepts connections and never
 * answers must not hold up this replica's own diffs (the real Dapr SDK client against a real
 * socket that never replies).
 */
class PresenceReplicationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "list:1";

    @Test
    void aHungSidecarDoesNotDelayThisReplicasDiffs() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (var hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(hung.accept()); // read nothing, answer nothing
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            var props = new PresenceProperties(Duration.ofSeconds(10), Duration.ofMillis(100), 1000, true,
                    "tasksync-presence", Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofSeconds(15));
            var presence = new Presence("self", new ServerMessages(JSON), props, System::nanoTime,
                    Presence.Events.NONE);
            var client = new DaprClientBuilder()
                    .withPropertyOverride(Properties.GRPC_ENDPOINT, "http://127.0.0.1:" + hung.getLocalPort())
                    .build();
            try (var sidecar = new SidecarPublisher(client, "pubsub");
                    var replication = new PresenceReplication(presence, sidecar, props, JSON)) {
                assertThat(replication.replicating()).isTrue();
                var watcher = new Watcher("alice");
                presence.watch(watcher, TOPIC);
                assertThat(watcher.take()).hasSize(1); // the snapshot
                replication.start();
                Thread.sleep(300); // the publish thread is now waiting on the hung sidecar

                long joinedAt = System.nanoTime();
                presence.subscribed(new Watcher("bob"), TOPIC);
                Frame diff = watcher.next(Duration.ofSeconds(3));
                assertThat(diff).as("bob's join while the sidecar hangs").isNotNull();
                assertThat(Duration.ofNanos(System.nanoTime() - joinedAt)).isLessThan(Duration.ofSeconds(1));
                assertThat(JSON.readTree(diff.bytes()).path("joins").get(0).path("user_id").asString())
                        .isEqualTo("bob");
                assertThat(sidecar.inFlight()).as("the publish waiting on the sidecar").isPositive();
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
