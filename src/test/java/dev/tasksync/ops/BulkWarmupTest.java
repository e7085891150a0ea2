package dev.tasksync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** With bulk subscribe on, the warm-up delivers bulk envelopes, as daprd will, so that path is compiled before readiness too. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tasksync.auth.secret=" + Tokens.SECRET, "tasksync.warmup.enabled=true", "tasksync.warmup.connections=20",
        "tasksync.warmup.handshake-rounds=1", "tasksync.warmup.events=250", "tasksync.dapr.bulk-subscribe=true"})
class BulkWarmupTest {

    @Autowired
    Warmup warmup;
    @Autowired
    MeterRegistry registry;

    @Test
    void deliversBulkEnvelopesEveryEntryOfWhichArrives() {
        var r = warmup.result();
        assertThat(r).isNotNull();
        assertThat(r.framesReceived()).isEqualTo(20 + 250);
        var batches = registry.get("tasksync.dapr.bulk.entries").summary();
        assertThat(batches.count()).as("envelopes of 100, 100 and 50").isEqualTo(3);
        assertThat(batches.totalAmount()).isEqualTo(250);
    }
}
