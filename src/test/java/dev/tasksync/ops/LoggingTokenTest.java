package dev.tasksync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Tokens never reach the log, even with everything at TRACE. */
@ExtendWith(OutputCaptureExtension.class)
class LoggingTokenTest {

    @Test
    void tokensAreNotLoggedAtTrace(CapturedOutput output) throws Exception {
        String good = Tokens.forUser("alice");
        String bad = Tokens.wrongSignature("mallory");
        String expired = Tokens.expired("eve");
        // The test's own WebSocket client shares this JVM's logging and prints its request URI;
        // it is not the server, so it alone is kept at INFO.
        try (var app = TasksyncInstance.start(Tokens.SECRET, "--logging.level.root=TRACE",
                "--logging.level.reactor.netty.http.client=INFO")) {
            try (var ws = WsClient.connect(app.port(), good)) {
                ws.next();
                ws.send("{\"type\":\"ping\"}");
                ws.next();
            }
            for (String rejected : new String[] {bad, expired}) {
                try (var ws = WsClient.connect(app.port(), rejected)) {
                    assertThat(ws.awaitClose().getCode()).isEqualTo(4001);
                }
            }
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                    + "/stats")).header("Authorization", "Bearer " + bad).build(), HttpResponse.BodyHandlers.ofString());
        }
        String log = output.getAll();
        assertThat(log).as("the run logged at TRACE").contains(" TRACE ");
        for (String token : new String[] {good, bad, expired}) {
            // The signature part is enough to recognise a leaked token, whole or in pieces.
            String signature = token.substring(token.lastIndexOf('.') + 1);
            assertThat(log.lines().filter(line -> line.contains(signature))
                    .map(line -> line.length() > 300 ? line.substring(0, 300) + "..." : line))
                    .as("log lines containing a token").isEmpty();
        }
    }
}
