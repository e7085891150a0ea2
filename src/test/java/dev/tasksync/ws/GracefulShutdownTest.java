package dev.tasksync.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Shutdown tells clients to go elsewhere (1001) instead of holding the server for its whole grace period. */
class GracefulShutdownTest {

    @Test
    void stopClosesClientsWithGoingAwayPromptly() {
        var app = TasksyncInstance.start(Tokens.SECRET);
        try (var a = WsClient.connectAs(app.port(), "alice"); var b = WsClient.connectAs(app.port(), "bob")) {
            long started = System.nanoTime();
            app.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(a.awaitClose()).extracting(org.springframework.web.reactive.socket.CloseStatus::getCode).isEqualTo(1001);
            assertThat(b.awaitClose().getCode()).isEqualTo(1001);
            // Without draining, graceful shutdown waits its full 20 s timeout for the open sockets.
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        } finally {
            app.close();
        }
    }
}
