package org.loadpilot.jmeter;

import java.rmi.Remote;
import java.rmi.RemoteException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.jmeter.testelement.AbstractTestElement;
import org.apache.jmeter.testelement.TestStateListener;
import org.apache.jmeter.threads.JMeterContextService;
import org.apache.jmeter.threads.JMeterThread;
import org.apache.jmeter.timers.Timer;
import org.apache.jmeter.engine.util.NoThreadClone;

/**
 * The throughput timer loadpilot adds at the top of a plan: one schedule
 * shared by every thread (NoThreadClone), so samplers start at the rate the
 * host sets, whatever the thread count. Like JMeter's own SyncTimer it waits
 * inside delay() (and returns 0), so a new rate applies at once to threads
 * already waiting instead of after delays computed for the old rate.
 *
 * A negative rate means "no pacing" (closed model). On a remote engine
 * (distributed mode) the timer was serialised there; it then reads its share
 * of the rate from the controller's {@link RateSource} every 100 ms.
 */
public class RateTimer extends AbstractTestElement implements Timer, NoThreadClone, TestStateListener {
    private static final long serialVersionUID = 1L;

    /** Read by remote engines: the rate this engine should send, per second. */
    public interface RateSource extends Remote {
        double rateForEngine() throws RemoteException;
    }

    /** Samples may start up to this late and still keep their slot (no burst after a stall beyond it). */
    private static final long SLACK_NS = 100_000_000L;

    private volatile double rate = -1;
    private RateSource source; // only on remote engines
    private transient Object lock;
    private transient long nextNs;
    private transient int waiting; // threads inside delay() now
    private transient volatile boolean ended; // test ended or stopping: no more waiting
    private transient Thread poller;
    // Threads loadpilot told to stop: they leave their wait at once.
    private final Set<JMeterThread> stopping = ConcurrentHashMap.newKeySet();

    public RateTimer() {
        setName("loadpilot rate timer");
    }

    void setSource(RateSource s) {
        source = s;
    }

    private synchronized Object lock() {
        if (lock == null) {
            lock = new Object();
        }
        return lock;
    }

    /** Sets the rate (per second; negative: no pacing). Waiting threads see it at once. */
    public void setRate(double r) {
        Object l = lock();
        synchronized (l) {
            double old = rate;
            rate = r;
            long now = System.nanoTime();
            if (r > 0) {
                // A faster rate must not wait out a slot computed for the slower one.
                long interval = (long) (1e9 / r);
                if (old <= 0 || nextNs > now + interval) {
                    nextNs = now;
                }
            }
            l.notifyAll();
        }
    }

    /** Stops a thread after its current sample (JMeterThread.stop, no interrupt). */
    void stopThread(JMeterThread t) {
        stopping.add(t);
        t.stop();
        Object l = lock();
        synchronized (l) {
            l.notifyAll();
        }
    }

    boolean isStopping(JMeterThread t) {
        return stopping.contains(t);
    }

    public double getRate() {
        return rate;
    }

    @Override
    public long delay() {
        Object l = lock();
        JMeterThread self = JMeterContextService.getContext().getThread();
        synchronized (l) {
            waiting++;
            try {
                return pace(l, self);
            } finally {
                waiting--;
            }
        }
    }

    /** Threads waiting for their turn now. */
    int waiting() {
        Object l = lock();
        synchronized (l) {
            return waiting;
        }
    }

    /** How far the schedule is behind (ns): slots due that no thread has taken. */
    long lagNs() {
        Object l = lock();
        synchronized (l) {
            return rate > 0 ? System.nanoTime() - nextNs : 0;
        }
    }

    private long pace(Object l, JMeterThread self) {
        {
            // Bounded: each wait is at most 50 ms, and the loop ends when the test
            // ends or the thread is told to stop or is interrupted.
            while (!ended && !Thread.currentThread().isInterrupted()) {
                double r = rate;
                if (r < 0) {
                    return 0;
                }
                long now = System.nanoTime();
                if (r > 0 && now >= nextNs) {
                    nextNs = Math.max(nextNs, now - SLACK_NS) + (long) (1e9 / r);
                    return 0;
                }
                if (self != null && stopping.contains(self)) {
                    return 0;
                }
                long waitNs = r > 0 ? Math.min(nextNs - now, 50_000_000L) : 50_000_000L;
                try {
                    l.wait(Math.max(1, waitNs / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
            return 0;
        }
    }

    /** The run is stopping: every thread leaves its wait (JMeter then skips the sample). */
    void release() {
        testEnded();
    }

    @Override
    public void testStarted() {
        ended = false;
        lock();
        nextNs = System.nanoTime();
        if (source != null) {
            startPoller();
        }
    }

    @Override
    public void testStarted(String host) {
        testStarted();
    }

    @Override
    public void testEnded() {
        ended = true;
        Object l = lock();
        synchronized (l) {
            l.notifyAll();
        }
        if (poller != null) {
            poller.interrupt();
        }
    }

    @Override
    public void testEnded(String host) {
        testEnded();
    }

    // Remote engine: follow the controller's rate.
    private void startPoller() {
        final RateSource s = source;
        poller = new Thread(() -> {
            int failures = 0;
            while (!ended && failures < 600) {
                try {
                    double r = s.rateForEngine();
                    if (r != rate) {
                        setRate(r);
                    }
                    failures = 0;
                } catch (RemoteException e) {
                    failures++;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "loadpilot-rate-poller");
        poller.setDaemon(true);
        poller.start();
    }

    @Override
    public Object clone() {
        // NoThreadClone keeps one instance per engine; a clone (tree copies made
        // before the run) shares nothing transient.
        RateTimer t = (RateTimer) super.clone();
        t.rate = rate;
        t.source = source;
        return t;
    }
}
