package org.loadpilot.jmeter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.jmeter.engine.util.NoThreadClone;
import org.apache.jmeter.samplers.Remoteable;
import org.apache.jmeter.samplers.SampleEvent;
import org.apache.jmeter.samplers.SampleListener;
import org.apache.jmeter.samplers.SampleResult;
import org.apache.jmeter.testelement.AbstractTestElement;
import org.apache.jmeter.testelement.TestStateListener;
import org.apache.jmeter.threads.JMeterContextService;
import org.apache.jmeter.threads.JMeterVariables;

/**
 * The sample listener loadpilot adds at the top of a plan. Every sample
 * (the same events a JTL gets) goes into columns of longs that the host
 * drains in batches through JNI ({@link #drain}); labels and threads are
 * interned to indexes so no string crosses per sample.
 * Remoteable: in distributed mode JMeter replaces it (a clone of it: the
 * client engine clones the tree) by a wrapper that sends the remote engines'
 * samples back over RMI; clones share one buffer, so they all land here.
 */
public class SampleCollector extends AbstractTestElement
        implements SampleListener, TestStateListener, NoThreadClone, Remoteable {
    private static final long serialVersionUID = 1L;

    /** Longs per sample in {@link #drain}. */
    public static final int FIELDS = 11;
    /** Samples held at most; beyond it the oldest are kept and the rest counted as dropped. */
    private static final int MAX_HELD = 4_000_000;

    /** What every clone of one collector shares. */
    private static final class Buffer {
        long[] buf = new long[FIELDS * 4096];
        int held;
        long dropped;
        final List<String> labels = new ArrayList<>();
        final Map<String, Integer> labelIndex = new HashMap<>();
        final Map<String, Integer> threadIndex = new HashMap<>();
        String[] engines = new String[0];
        volatile int ended; // testEnded calls seen (one per engine)
        volatile JMeterVariables startVars;
    }

    private transient Buffer b = new Buffer();

    public SampleCollector() {
        setName("loadpilot sample collector");
    }

    @Override
    public Object clone() {
        SampleCollector c = (SampleCollector) super.clone();
        c.b = b;
        return c;
    }

    private static int intern(String s, Map<String, Integer> index, List<String> list) {
        Integer i = index.get(s);
        if (i == null) {
            i = index.size();
            index.put(s, i);
            if (list != null) {
                list.add(s);
            }
        }
        return i;
    }

    @Override
    public void sampleOccurred(SampleEvent e) {
        SampleResult r = e.getResult();
        String code = r.getResponseCode();
        int status = 0;
        if (code != null && code.length() == 3) {
            try {
                status = Integer.parseInt(code);
            } catch (NumberFormatException ignored) {
                status = 0;
            }
        }
        long failure = 0; // 0 ok, 1 HTTP/assertion, 2 timeout, 3 connect, 4 other
        if (!r.isSuccessful()) {
            String msg = code == null ? "" : code;
            if (status > 0) {
                failure = 1;
            } else if (msg.contains("SocketTimeout") || msg.contains("Timeout")) {
                failure = 2;
            } else if (msg.contains("ConnectException") || msg.contains("NoRouteToHost")
                    || msg.contains("UnknownHost")) {
                failure = 3;
            } else {
                failure = 4;
            }
        }
        Buffer x = b;
        synchronized (x) {
            if (x.held >= MAX_HELD) {
                x.dropped++;
                return;
            }
            if ((x.held + 1) * FIELDS > x.buf.length) {
                long[] bigger = new long[x.buf.length * 2];
                System.arraycopy(x.buf, 0, bigger, 0, x.held * FIELDS);
                x.buf = bigger;
            }
            long[] buf = x.buf;
            int o = x.held * FIELDS;
            buf[o] = r.getStartTime();
            buf[o + 1] = r.getTime();
            buf[o + 2] = r.getLatency();
            buf[o + 3] = r.getConnectTime();
            buf[o + 4] = r.getBytesAsLong();
            buf[o + 5] = failure;
            buf[o + 6] = status;
            buf[o + 7] = intern(r.getSampleLabel(), x.labelIndex, x.labels);
            buf[o + 8] = intern(r.getThreadName(), x.threadIndex, null);
            buf[o + 9] = engineOf(x.engines, r.getThreadName());
            buf[o + 10] = r.getSentBytes();
            x.held++;
        }
    }

    /** Remote engines (host:port), whose threads JMeter names "host:port-group n-m". */
    void setEngines(String[] hostAndPorts) {
        b.engines = hostAndPorts.clone();
    }

    // 1 + the index of the remote engine that ran the thread, 0 when local.
    private static long engineOf(String[] engines, String threadName) {
        for (int i = 0; i < engines.length; i++) {
            if (threadName != null && threadName.startsWith(engines[i] + "-")) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * Moves up to out.length / FIELDS samples into out, oldest first, and
     * returns how many. Per sample: start ms, elapsed ms, latency ms, connect
     * ms, bytes received, failure kind, status code, label index, thread index,
     * engine (1.. remote, 0 local), bytes sent.
     */
    public int drain(long[] out) {
        Buffer x = b;
        synchronized (x) {
            int n = Math.min(x.held, out.length / FIELDS);
            System.arraycopy(x.buf, 0, out, 0, n * FIELDS);
            System.arraycopy(x.buf, n * FIELDS, x.buf, 0, (x.held - n) * FIELDS);
            x.held -= n;
            return n;
        }
    }

    public String[] labelsFrom(int from) {
        Buffer x = b;
        synchronized (x) {
            return x.labels.subList(Math.min(from, x.labels.size()), x.labels.size()).toArray(new String[0]);
        }
    }

    public long dropped() {
        Buffer x = b;
        synchronized (x) {
            return x.dropped;
        }
    }

    public int endedCount() {
        return b.ended;
    }

    @Override
    public void sampleStarted(SampleEvent e) {
        // only completed samples count
    }

    @Override
    public void sampleStopped(SampleEvent e) {
        // only completed samples count
    }

    @Override
    public void testStarted() {
        // Runs on the engine thread after the test plan's variables are set.
        JMeterVariables v = JMeterContextService.getContext().getVariables();
        if (v != null) {
            JMeterVariables copy = new JMeterVariables();
            copy.putAll(v);
            b.startVars = copy;
        }
    }

    /** The engine thread's variables at the start (the test plan's user-defined ones). */
    public JMeterVariables startVariables() {
        JMeterVariables v = b.startVars;
        if (v == null) {
            return null;
        }
        JMeterVariables copy = new JMeterVariables();
        copy.putAll(v);
        return copy;
    }

    @Override
    public void testStarted(String host) {
        testStarted();
    }

    @Override
    public void testEnded() {
        Buffer x = b;
        synchronized (x) {
            x.ended++;
        }
    }

    @Override
    public void testEnded(String host) {
        testEnded();
    }
}
