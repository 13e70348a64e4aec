package dev.lmuformer.server;

import dev.lmuformer.engine.Parallel;
import dev.lmuformer.stream.ContinuousRule;
import dev.lmuformer.stream.KeywordSession;
import dev.lmuformer.stream.SessionGroup;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Every stream of a server as a session of a {@link SessionGroup}. The streams are spread over
 * {@link #shards} shards — one per engine thread — each a group of its own stepped by a thread of
 * its own with every product serial on that thread ({@link Parallel#runSerial}): on a machine whose
 * cores the network threads share, one group spread over the pool makes each tick wait for whichever
 * worker was preempted (measured: 200 streams step 2.7 times slower that way under a server's load,
 * and slower than on one thread), while independent shards only lose what is taken from them. A new
 * stream joins the shard serving the fewest.
 *
 * <p>Every {@link #TICK_NANOS} (sooner when a stream starts or ends) a shard takes the audio each of
 * its connections has queued — at most {@link #BUDGET_SECONDS} of it per stream, so one fast client
 * cannot starve the rest — pushes it into the sessions and ticks the group, whose events go out to
 * the clients on that same thread. A group's sessions are slots: a stream takes a free one when it
 * starts (with its own rule: {@link SessionGroup#replace}) and gives it back when it ends or its
 * client goes away.
 */
final class StreamHub implements AutoCloseable {
    /** How often queued audio is stepped: 10 ms, one frame shift. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The most audio of one stream stepped per tick: 0.5 s, 50 times real time. */
    static final double BUDGET_SECONDS = 0.5;
    /** Score messages: every 10th frame (10 per second), the best 5 words. */
    static final int SCORE_EVERY = 10, SCORE_TOP = 5;

    private final Spotter spotter;
    private final ServerMetrics metrics;
    private final int maxSessions;
    private final long queueLimit;
    private final AtomicInteger admitted = new AtomicInteger();
    private final Shard[] shards;

    StreamHub(Spotter spotter, ServerOptions options, ServerMetrics metrics) {
        this.spotter = spotter;
        this.metrics = metrics;
        this.maxSessions = options.maxSessions();
        this.queueLimit = Math.round(options.queueSeconds() * KeywordSession.SAMPLE_RATE);
        int count = Math.max(1, Math.min(Parallel.threads(), maxSessions));
        shards = new Shard[count];
        // ceil(max / count) slots each: the least-served shard has a free slot while fewer than max streams are served
        for (int i = 0; i < count; i++) shards[i] = new Shard(i, (maxSessions + count - 1) / count, count > 1);
        metrics.activeSessionsFrom(admitted::get);
    }

    /** The model's class names. */
    List<String> words() {
        return spotter.words();
    }

    /** Samples a stream may have queued before it is slowed. */
    long queueLimit() {
        return queueLimit;
    }

    /** Threads stepping streams, each its own group of sessions. */
    int shards() {
        return shards.length;
    }

    /**
     * Admits a new connection, or refuses it with close code 1013 when {@code maxSessions} streams
     * are served already; returns whether it was admitted.
     */
    boolean admit(Connection c) {
        if (admitted.incrementAndGet() > maxSessions) {
            admitted.decrementAndGet();
            metrics.refused.labelValues("full").inc();
            c.close(Connection.TRY_AGAIN_LATER, "server full: " + maxSessions + " streams at once; try again later");
            return false;
        }
        metrics.sessions.inc();
        Shard least;
        while (true) { // the least-served shard, claimed atomically: concurrent admissions must not overfill one
            least = shards[0];
            int load = least.load.get();
            for (Shard s : shards) {
                int l = s.load.get();
                if (l < load) {
                    least = s;
                    load = l;
                }
            }
            if (load < least.slots && least.load.compareAndSet(load, load + 1)) break;
        }
        c.shard = least;
        least.arrivals.add(c);
        LockSupport.unpark(least.thread);
        return true;
    }

    /** Queues an item of {@code c}; starts, ends and failures are handled at once, audio on the next tick. */
    void offer(Connection c, Connection.Item item) {
        Shard s = c.shard;
        if (s == null) return; // refused: not served
        c.inbox.add(item);
        if (!(item instanceof Connection.Audio)) LockSupport.unpark(s.thread);
    }

    /** A stream's socket is no longer read until its queue drains. */
    void pausedOne() {
        metrics.paused.inc();
    }

    /** A send failed: the client does not read (or is gone); its socket is dropped. */
    void sendFailed(Connection c, Throwable cause) {
        metrics.errors.labelValues("send").inc();
        if (c.socket != null) c.socket.disconnect();
    }

    /** Stops the ticking threads; open streams are closed with 1001. */
    @Override
    public void close() {
        for (Shard s : shards) s.running = false;
        for (Shard s : shards) {
            LockSupport.unpark(s.thread);
            try {
                s.thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Some of the streams: a group of sessions and the thread that ticks it. */
    final class Shard {
        private final SessionGroup group;
        private final ArrayDeque<Integer> free = new ArrayDeque<>();        // this shard's thread only
        private final List<Stream> live = new ArrayList<>();                 // this shard's thread only
        private final ConcurrentLinkedQueue<Connection> arrivals = new ConcurrentLinkedQueue<>();
        /** Streams admitted here and not yet released. */
        private final AtomicInteger load = new AtomicInteger();
        private final int slots;
        private long[] arrivedAt = new long[256];                            // arrival times of the audio messages finished this tick
        private int finished;                                                // how many of them
        private final Thread thread;
        private volatile boolean running = true;

        private Shard(int index, int slots, boolean serial) {
            this.slots = slots;
            group = new SessionGroup(spotter.model(), slots, spotter.input(), spotter.rule(), i -> new KeywordSession.Listener() { });
            for (int i = 0; i < slots; i++) free.add(i);
            thread = new Thread(serial ? () -> Parallel.runSerial(this::run) : this::run, "lmuformer-hub-" + index);
            thread.setDaemon(true);
            thread.start();
        }

        /** One stream as its shard sees it. */
        private final class Stream implements KeywordSession.Listener {
            final Connection connection;
            int slot = -1;
            KeywordSession session;
            ClientConfig config;
            ContinuousRule rule;
            int[] spotted;          // the classes scored in score messages
            List<String> spottedWords;
            double[] scores;        // every class's score of a frame
            double[] spottedScores; // the spotted classes' of them
            int offset;             // samples of the inbox's first Audio already pushed
            long frames;
            boolean released;

            Stream(Connection connection) {
                this.connection = connection;
            }

            @Override
            public void onFrame(long frame, double seconds, float[] logits) {
                if (!config.scores() || ++frames % SCORE_EVERY != 0) return;
                rule.score().of(logits, 0, scores);
                for (int i = 0; i < spotted.length; i++) spottedScores[i] = scores[spotted[i]];
                connection.send(ServerMessages.scores(seconds, seconds + session.lookAheadSeconds(), spottedWords, spottedScores, SCORE_TOP));
            }

            @Override
            public void onKeyword(KeywordSession.Keyword k) {
                metrics.events.inc();
                connection.send(k.json(spotter.words().get(k.label())));
            }
        }

        private void run() {
            while (running) {
                long start = System.nanoTime();
                Connection c;
                while ((c = arrivals.poll()) != null) live.add(new Stream(c));
                finished = 0;
                boolean backlog = false;
                for (Iterator<Stream> it = live.iterator(); it.hasNext(); ) {
                    Stream s = it.next();
                    boolean over;
                    try {
                        over = process(s);
                    } catch (RuntimeException e) { // a bug must cost one stream, not the server
                        metrics.errors.labelValues("internal").inc();
                        s.connection.sendErrorAndClose("internal error: " + e, 1011);
                        release(s);
                        over = true;
                    }
                    if (over) it.remove();
                    else if (s.offset > 0) backlog = true;
                }
                int stepped = group.tick();
                long end = System.nanoTime();
                if (stepped > 0 || finished > 0) {
                    metrics.frames.inc(stepped);
                    metrics.tickSeconds.observe((end - start) / 1e9);
                    for (int i = 0; i < finished; i++) metrics.chunkLatency.observe((end - arrivedAt[i]) / 1e9);
                }
                for (Stream s : live) {
                    Connection k = s.connection;
                    if (k.queued.get() <= queueLimit / 2 && k.paused.compareAndSet(true, false) && k.socket != null) k.socket.demand();
                }
                if (!backlog) {
                    long wait = TICK_NANOS - (System.nanoTime() - start);
                    if (wait > 0) LockSupport.parkNanos(this, wait);
                }
            }
            for (Stream s : live) {
                s.connection.close(1001, "server shutting down");
                release(s);
            }
        }

        /** Takes {@code s}'s queued items in order, up to this tick's audio budget; true when the stream is over. */
        private boolean process(Stream s) {
            Connection c = s.connection;
            int budget = (int) Math.round(BUDGET_SECONDS * KeywordSession.SAMPLE_RATE);
            Connection.Item item;
            while (budget > 0 && (item = c.inbox.peek()) != null) {
                if (item instanceof Connection.Start st) {
                    start(s, st.config());
                } else if (item instanceof Connection.Audio a) {
                    int n = Math.min(budget, a.samples().length - s.offset);
                    s.session.push(a.samples(), s.offset, n);
                    budget -= n;
                    s.offset += n;
                    if (s.offset < a.samples().length) return false; // the rest next tick
                    s.offset = 0;
                    c.queued.addAndGet(-a.samples().length);
                    if (finished == arrivedAt.length) arrivedAt = java.util.Arrays.copyOf(arrivedAt, 2 * finished);
                    arrivedAt[finished++] = a.arrived();
                } else {
                    // the slot is given back before the client hears of the end, so that it can count on it
                    if (item instanceof Connection.End) {
                        s.session.finish(); // the last events go out now
                        release(s);
                        c.send(ServerMessages.end());
                        c.close(Connection.NORMAL, "end of stream");
                    } else if (item instanceof Connection.Fail f) {
                        release(s);
                        metrics.errors.labelValues(f.kind()).inc();
                        c.sendErrorAndClose(f.message(), f.code());
                    } else {
                        release(s); // Gone: the client left
                    }
                    c.inbox.clear();
                    return true;
                }
                c.inbox.poll();
            }
            return false;
        }

        private void start(Stream s, ClientConfig config) {
            s.config = config;
            s.rule = spotter.ruleFor(config);
            s.slot = free.pop(); // admit() keeps the streams within the slots
            s.scores = new double[spotter.words().size()];
            List<Integer> classes = new ArrayList<>();
            for (int k = 0; k < s.scores.length; k++) if (s.rule.threshold(k) <= 1) classes.add(k);
            s.spotted = classes.stream().mapToInt(Integer::intValue).toArray();
            s.spottedWords = spotter.spotted(s.rule);
            s.spottedScores = new double[s.spotted.length];
            s.session = group.replace(s.slot, s.rule, s);
            double[] thresholds = new double[s.spotted.length];
            for (int i = 0; i < thresholds.length; i++) thresholds[i] = s.rule.threshold(s.spotted[i]);
            s.connection.send(ServerMessages.ready(config, spotter.arch(), s.spottedWords, thresholds));
        }

        private void release(Stream s) {
            if (s.released) return;
            s.released = true;
            if (s.slot >= 0) {
                group.session(s.slot).reset();
                free.push(s.slot);
            }
            admitted.decrementAndGet();
            load.decrementAndGet();
        }
    }
}
