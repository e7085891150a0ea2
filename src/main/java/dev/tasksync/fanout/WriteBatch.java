package dev.tasksync.fanout;

import java.util.ArrayList;
import java.util.concurrent.Executor;

/**
 * One frame's recipients grouped by the thread that writes to them (a publication, or a round of
 * heartbeat pings), so each writer thread gets one task for all of them: its recipients' writes (and flushes) in a row, with
 * one cross-thread hand-off instead of one per recipient. Writers are few (event loops), so a
 * linear scan by identity beats a map.
 */
public final class WriteBatch {

    private final Frame frame;
    private final ArrayList<Executor> writers = new ArrayList<>(4);
    private final ArrayList<ArrayList<Recipient>> recipients = new ArrayList<>(4);

    /** A batch that writes {@code frame} to every recipient added. */
    public WriteBatch(Frame frame) {
        this.frame = frame;
    }

    /** Adds {@code r}, whose writes run on {@code writer}. */
    public void add(Executor writer, Recipient r) {
        for (int i = 0; i < writers.size(); i++) {
            if (writers.get(i) == writer) {
                recipients.get(i).add(r);
                return;
            }
        }
        writers.add(writer);
        var list = new ArrayList<Recipient>();
        list.add(r);
        recipients.add(list);
    }

    /** Hands every writer its task. */
    public void submit() {
        for (int i = 0; i < writers.size(); i++) {
            var list = recipients.get(i);
            writers.get(i).execute(() -> {
                for (int k = 0, n = list.size(); k < n; k++) {
                    list.get(k).write(frame);
                }
            });
        }
    }
}
