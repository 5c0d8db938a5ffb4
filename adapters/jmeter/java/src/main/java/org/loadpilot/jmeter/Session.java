package org.loadpilot.jmeter;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.rmi.RemoteException;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.apache.jmeter.JMeter;
import org.apache.jmeter.control.ReplaceableController;
import org.apache.jmeter.control.TransactionController;
import org.apache.jmeter.engine.DistributedRunner;
import org.apache.jmeter.engine.JMeterEngine;
import org.apache.jmeter.engine.StandardJMeterEngine;
import org.apache.jmeter.engine.util.CompoundVariable;
import org.apache.jmeter.gui.tree.JMeterTreeModel;
import org.apache.jmeter.gui.tree.JMeterTreeNode;
import org.apache.jmeter.reporters.ResultCollector;
import org.apache.jmeter.samplers.Sampler;
import org.apache.jmeter.save.SaveService;
import org.apache.jmeter.services.FileServer;
import org.apache.jmeter.testelement.TestElement;
import org.apache.jmeter.threads.AbstractThreadGroup;
import org.apache.jmeter.threads.JMeterContextService;
import org.apache.jmeter.threads.JMeterThread;
import org.apache.jmeter.threads.JMeterVariables;
import org.apache.jmeter.threads.PostThreadGroup;
import org.apache.jmeter.threads.SetupThreadGroup;
import org.apache.jmeter.threads.ThreadGroup;
import org.apache.jmeter.util.JMeterUtils;
import org.apache.jorphan.collections.HashTree;
import org.apache.jorphan.collections.SearchByClass;

/**
 * One run of one .jmx plan, driven by the host through JNI: loads the plan
 * with SaveService as JMeter's non-GUI mode does, adds the rate timer and the
 * sample collector (and a JTL writer when asked), and runs it on a
 * StandardJMeterEngine in this JVM or, with remote hosts, on JMeter server
 * engines through JMeter's DistributedRunner.
 *
 * JMeter keeps engine state in statics (the engine, FileServer, the
 * context service), so one session runs at a time per JVM.
 */
public final class Session {
    private static Session running;

    private final File jmx;
    private final HashTree tree;
    private final RateTimer timer = new RateTimer();
    private final SampleCollector collector = new SampleCollector();
    private final List<AbstractThreadGroup> groups = new ArrayList<>();
    private final List<Integer> planThreads = new ArrayList<>();
    private final List<String> labels;
    private final List<String> remotes;
    private final String[] props;
    private StandardJMeterEngine engine;
    private DistributedRunner distributed;
    private RateShare share;
    private boolean stopped;
    private long lastSteerNs;

    /** Hands remote engines their share of the rate (RMI). */
    static final class RateShare implements RateTimer.RateSource {
        volatile double rate = -1;
        final int engines;

        RateShare(int engines) {
            this.engines = engines;
        }

        @Override
        public double rateForEngine() {
            double r = rate;
            return r < 0 ? r : r / engines;
        }
    }

    /**
     * @param jmxPath the plan
     * @param props   JMeter properties as key=value (for __P), set before loading
     * @param jtl     a JTL file JMeter's own ResultCollector writes, or empty
     * @param remoteHosts host:port of JMeter server engines, or empty for a local run
     */
    public Session(String jmxPath, String[] props, String jtl, String[] remoteHosts) throws Exception {
        synchronized (Session.class) {
            if (running != null && !running.stopped) {
                throw new IllegalStateException("another JMeter plan (" + running.jmx
                        + ") is running in this process; JMeter runs one plan per JVM");
            }
        }
        jmx = new File(jmxPath).getAbsoluteFile();
        if (!jmx.isFile()) {
            throw new IOException("The file " + jmx + " doesn't exist or can't be opened");
        }
        for (String kv : props) {
            int eq = kv.indexOf('=');
            JMeterUtils.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
        }
        remotes = Arrays.asList(remoteHosts);
        this.props = props.clone();
        collector.setEngines(remoteHosts);
        FileServer.getFileServer().setBaseForScript(jmx);
        HashTree loaded = SaveService.loadTree(jmx);
        if (loaded == null) {
            throw new IOException("JMeter could not load " + jmx + " (see jmeter.log)");
        }
        // As JMeter's non-GUI mode: resolve Module/Include controllers, drop
        // disabled elements, then work on a clone.
        @SuppressWarnings("deprecation")
        JMeterTreeModel model = new JMeterTreeModel(new Object());
        JMeterTreeNode root = (JMeterTreeNode) model.getRoot();
        model.addSubTree(loaded, root);
        SearchByClass<ReplaceableController> replaceable = new SearchByClass<>(ReplaceableController.class);
        loaded.traverse(replaceable);
        for (ReplaceableController rc : replaceable.getSearchResults()) {
            rc.resolveReplacementSubTree(root);
        }
        tree = JMeter.convertSubTree(loaded, true);

        SearchByClass<AbstractThreadGroup> tgs = new SearchByClass<>(AbstractThreadGroup.class);
        tree.traverse(tgs);
        for (AbstractThreadGroup g : tgs.getSearchResults()) {
            if (!(g instanceof SetupThreadGroup) && !(g instanceof PostThreadGroup)) {
                groups.add(g);
                planThreads.add(Math.max(0, evaluatedThreads(g)));
            }
        }
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("the plan " + jmx + " has no enabled thread group");
        }
        checkCsvFiles();
        labels = new ArrayList<>(findLabels());

        Object top = tree.getArray()[0];
        tree.add(top, timer);
        // The JTL writer before the collector: listeners hear of a sample and
        // of the end in tree order (on remote engines one synchronous RMI call
        // after the other), so when the collector has heard every engine end,
        // the JTL is complete too.
        if (!jtl.isEmpty()) {
            if (!remotes.isEmpty()) {
                // Remote samples arrive over RMI up to the very end; write each
                // at once so the JTL has them all when the run is stopped.
                JMeterUtils.setProperty("jmeter.save.saveservice.autoflush", "true");
            }
            ResultCollector rc = new ResultCollector();
            rc.setFilename(jtl);
            tree.add(top, rc);
        }
        tree.add(top, collector);
    }

    // The thread count the plan gives (it may be a function such as __P).
    private static int evaluatedThreads(AbstractThreadGroup g) {
        String raw = g.getPropertyAsString(AbstractThreadGroup.NUM_THREADS).trim();
        if (raw.contains("${")) {
            raw = new CompoundVariable(raw).execute().trim();
        }
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("thread group \"" + g.getName() + "\": number of threads \""
                    + raw + "\" is not a number", e);
        }
    }

    // A CSV Data Set Config whose file is missing only logs an error in JMeter
    // and fails every sample; say it before the run instead.
    private void checkCsvFiles() throws IOException {
        SearchByClass<TestElement> all = new SearchByClass<>(TestElement.class);
        tree.traverse(all);
        for (TestElement el : all.getSearchResults()) {
            if (!"org.apache.jmeter.config.CSVDataSet".equals(el.getClass().getName())) {
                continue;
            }
            String name = el.getPropertyAsString("filename").trim();
            if (name.contains("${")) {
                continue; // resolved at run time
            }
            File f = new File(name);
            if (!f.isAbsolute()) {
                f = new File(FileServer.getFileServer().getBaseDir(), name);
            }
            try (FileInputStream in = new FileInputStream(f)) {
                in.getChannel(); // readable
            } catch (IOException e) {
                throw new IOException("CSV Data Set Config \"" + el.getName() + "\": " + e, e);
            }
        }
    }

    // Sampler and transaction controller names: the labels a run reports
    // (names with ${...} are only known when sampled).
    private Set<String> findLabels() {
        Set<String> out = new LinkedHashSet<>();
        SearchByClass<TestElement> all = new SearchByClass<>(TestElement.class);
        tree.traverse(all);
        for (TestElement el : all.getSearchResults()) {
            if ((el instanceof Sampler || el instanceof TransactionController) && !el.getName().contains("${")) {
                out.add(el.getName());
            }
        }
        return out;
    }

    /** Labels found in the plan, in tree order. */
    public String[] labels() {
        return labels.toArray(new String[0]);
    }

    /** Threads the plan's thread groups start, in total. */
    public int planThreads() {
        return planThreads.stream().mapToInt(Integer::intValue).sum();
    }

    public SampleCollector collector() {
        return collector;
    }

    /**
     * Starts the run.
     * @param rate    samples/s for the whole run, negative: the plan's own pacing
     * @param threads threads over all groups (split as the plan's counts), negative: the plan's
     */
    public void start(double rate, int threads) throws Exception {
        synchronized (Session.class) {
            running = this;
        }
        if (threads >= 0) {
            int[] split = split(threads);
            for (int i = 0; i < groups.size(); i++) {
                groups.get(i).setNumThreads(split[i]);
            }
        }
        timer.setRate(rate);
        if (remotes.isEmpty()) {
            engine = new StandardJMeterEngine();
            engine.configure(tree);
            engine.runTest();
        } else {
            share = new RateShare(remotes.size());
            share.rate = rate;
            timer.setSource((RateTimer.RateSource) UnicastRemoteObject.exportObject(share, 0));
            // The remote engines get the same JMeter properties (as -G would).
            Properties remoteProps = new Properties();
            for (String kv : props) {
                int eq = kv.indexOf('=');
                remoteProps.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
            }
            distributed = new DistributedRunner(remoteProps);
            distributed.init(new ArrayList<>(remotes), tree);
            if (distributed.getEngines().size() != remotes.size()) {
                throw new RemoteException("only " + distributed.getEngines().size() + " of the "
                        + remotes.size() + " remote JMeter engines " + remotes
                        + " could be configured (see jmeter.log)");
            }
            distributed.start();
        }
    }

    // Splits n threads over the groups in proportion to the plan's counts.
    private int[] split(int n) {
        int total = planThreads();
        int[] out = new int[groups.size()];
        int given = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = total == 0 ? n / out.length : (int) ((long) n * planThreads.get(i) / total);
            given += out[i];
        }
        for (int i = 0; given < n; i = (i + 1) % out.length) {
            out[i]++;
            given++;
        }
        return out;
    }

    public void setRate(double rate) {
        timer.setRate(rate);
        if (share != null) {
            share.rate = rate;
        }
    }

    /** Adds or stops threads so the groups run `threads` in total (local runs). */
    public void setThreads(int threads) {
        if (engine == null) {
            throw new UnsupportedOperationException(
                    "thread counts can be changed at run time only in a local run, not on remote engines");
        }
        // Threads added from this (host) thread start with the variables the
        // engine thread had at the start (the test plan's user-defined ones).
        JMeterVariables vars = collector.startVariables();
        JMeterContextService.getContext().setVariables(vars == null ? new JMeterVariables() : vars);
        int[] split = split(threads);
        for (int i = 0; i < groups.size(); i++) {
            AbstractThreadGroup g = groups.get(i);
            if (!groupRunning(g)) {
                continue; // not started yet, or ended: JMeter cannot add threads to it
            }
            List<JMeterThread> live = liveThreads(g);
            int have = live.size();
            for (int k = have; k < split[i]; k++) {
                g.addNewThread(0, engine);
            }
            // Newest first; stop() lets the current sample end (no interrupt).
            live.sort((a, b) -> Integer.compare(b.getThreadNum(), a.getThreadNum()));
            for (int k = 0; k < have - split[i]; k++) {
                timer.stopThread(live.get(k));
            }
        }
    }

    /**
     * Open model, local run: adds threads (25 %, at least 2, at most every
     * 250 ms) while the rate timer has none waiting and the schedule runs
     * behind; never below min. Returns the threads wanted now.
     */
    public int steer(int min, int max) {
        if (engine == null || stopped || state() != null) {
            return 0;
        }
        int have = 0;
        for (AbstractThreadGroup g : groups) {
            have += liveThreads(g).size();
        }
        long now = System.nanoTime();
        int want = Math.max(have, min);
        if (timer.getRate() > 0 && timer.waiting() == 0 && timer.lagNs() > 20_000_000L
                && now - lastSteerNs > 250_000_000L) {
            want = Math.max(want, Math.max(have + 2, (int) Math.ceil(have * 1.25)));
            lastSteerNs = now;
        }
        want = Math.min(want, max);
        if (want != have && want > 0) {
            setThreads(want);
        }
        return want;
    }

    private static boolean groupRunning(AbstractThreadGroup g) {
        if (!(g instanceof ThreadGroup)) {
            return false;
        }
        try {
            Field f = ThreadGroup.class.getDeclaredField("running");
            f.setAccessible(true);
            return f.getBoolean(g);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the state of " + g.getName(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private List<JMeterThread> liveThreads(AbstractThreadGroup g) {
        List<JMeterThread> out = new ArrayList<>();
        if (g instanceof ThreadGroup) {
            try {
                // ThreadGroup keeps its threads private; stopThread(name) would
                // interrupt the sample in flight.
                Field f = ThreadGroup.class.getDeclaredField("allThreads");
                f.setAccessible(true);
                for (JMeterThread t : ((Map<JMeterThread, Thread>) f.get(g)).keySet()) {
                    if (!timer.isStopping(t)) {
                        out.add(t);
                    }
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot list the threads of " + g.getName(), e);
            }
        }
        return out;
    }

    /** Threads running now (local), or the threads started by remote engines. */
    public int activeThreads() {
        if (engine == null) {
            return JMeterContextService.getThreadCounts().activeThreads;
        }
        int n = 0;
        for (AbstractThreadGroup g : groups) {
            n += g.numberOfActiveThreads();
        }
        return n;
    }

    /**
     * null while running; "" when the plan ran to its end; otherwise why the
     * run failed (an exception in the engine).
     */
    public String state() {
        if (engine != null) {
            try {
                engine.awaitTermination(Duration.ZERO);
                return "";
            } catch (TimeoutException e) {
                return null;
            } catch (ExecutionException e) {
                return Bridge.describe(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        if (distributed != null) {
            Collection<? extends JMeterEngine> engines = distributed.getEngines();
            return collector.endedCount() >= engines.size() ? "" : null;
        }
        return null;
    }

    /** Stops the run: graceful (samples in flight end) then, after graceMs, at once. */
    public void stop(long graceMs) throws Exception {
        if (stopped) {
            return;
        }
        try {
            if (engine != null) {
                engine.stopTest(false);
                timer.release();
                long end = System.currentTimeMillis() + Math.max(0, graceMs);
                while (state() == null && System.currentTimeMillis() < end) {
                    Thread.sleep(20);
                }
                if (state() == null) {
                    engine.stopTest(true);
                }
                long hard = System.currentTimeMillis() + 5000;
                while (state() == null && System.currentTimeMillis() < hard) {
                    Thread.sleep(20);
                }
            } else if (distributed != null) {
                // Graceful first (samples in flight end), then at once.
                distributed.shutdown(new ArrayList<>(remotes));
                long end = System.currentTimeMillis() + Math.max(0, graceMs);
                while (state() == null && System.currentTimeMillis() < end) {
                    Thread.sleep(50);
                }
                if (state() == null) {
                    distributed.stop(new ArrayList<>(remotes));
                }
                long hard = System.currentTimeMillis() + 5000;
                while (state() == null && System.currentTimeMillis() < hard) {
                    Thread.sleep(50);
                }
                UnicastRemoteObject.unexportObject(share, true);
            }
        } finally {
            stopped = true;
        }
    }
}
