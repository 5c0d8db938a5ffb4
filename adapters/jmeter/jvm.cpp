// See jvm.hpp. libjvm is dlopen()ed so the plugin loads (and can report a
// missing JDK) on a machine without Java.
#include "jvm.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <loadpilot/sdk.hpp>
#include <mutex>
#include <system_error>

namespace lp::jmeter {
namespace {

namespace fs = std::filesystem;
using lp::sdk::Error;

using CreateJavaVM = jint (*)(JavaVM**, void**, void*);
using GetCreatedJavaVMs = jint (*)(JavaVM**, jsize, jsize*);

std::mutex g_mutex;
JavaVM* g_vm = nullptr;
std::string g_classpath;    // what the JVM was created with
std::string g_failure;      // why it could not be created, if it could not
jclass g_bridge = nullptr;  // org.loadpilot.jmeter.Bridge, for describe()
jmethodID g_describe = nullptr;

// Detaches the thread from the JVM when it ends (a thread that ends while
// attached would keep the JVM waiting for it).
struct Attachment {
  JNIEnv* env = nullptr;
  bool attached_here = false;
  ~Attachment() {
    if (attached_here && g_vm != nullptr) g_vm->DetachCurrentThread();
  }
};
thread_local Attachment t_attachment;

std::string join_classpath(const std::vector<fs::path>& jars) {
  std::string cp;
  for (const auto& j : jars) cp += (cp.empty() ? "" : ":") + j.string();
  return cp;
}

std::string jni_error(jint rc) {
  switch (rc) {
    case JNI_ENOMEM:
      return "not enough memory";
    case JNI_EVERSION:
      return "JNI version not supported";
    case JNI_EEXIST:
      return "a JVM already exists";
    case JNI_EINVAL:
      return "invalid JVM options";
    case JNI_EDETACHED:
      return "thread detached";
    default:
      return "error " + std::to_string(rc);
  }
}

}  // namespace

fs::path find_libjvm(const std::string& java_home) {
  std::vector<fs::path> homes;
  // A java_home the plan names is the only place looked at.
  if (!java_home.empty()) homes.emplace_back(java_home);
  if (java_home.empty()) {
    if (const char* h = std::getenv("JAVA_HOME"); h != nullptr && *h != '\0') homes.emplace_back(h);
    homes.emplace_back("/usr/lib/jvm/default-java");
    // The JDK of `java` on PATH (bin/java -> the JDK's home).
    if (const char* path = std::getenv("PATH"); path != nullptr) {
      std::string p = path;
      for (std::size_t start = 0; start <= p.size();) {
        const std::size_t end = std::min(p.find(':', start), p.size());
        const fs::path java = fs::path(p.substr(start, end - start)) / "java";
        std::error_code ec;
        if (fs::exists(java, ec)) {
          const fs::path real = fs::canonical(java, ec);
          if (!ec) homes.push_back(real.parent_path().parent_path());
          break;
        }
        start = end + 1;
      }
    }
  }
  std::string tried;
  for (const auto& h : homes) {
    for (const char* rel : {"lib/server/libjvm.so", "jre/lib/amd64/server/libjvm.so"}) {
      std::error_code ec;
      if (fs::is_regular_file(h / rel, ec)) return h / rel;
    }
    tried += (tried.empty() ? "" : ", ") + h.string();
  }
  throw Error("no Java runtime (libjvm.so) found in " + tried +
              "; install a JDK (scripts/setup installs openjdk-17) or set java_home");
}

void ensure_jvm(const JvmOptions& options) {
  const std::lock_guard lock(g_mutex);
  const std::string cp = join_classpath(options.classpath);
  if (!g_failure.empty()) throw Error(g_failure);
  if (g_vm != nullptr) {
    if (cp != g_classpath) {
      throw Error(
          "the JVM of this process already runs with another JMeter classpath; one process "
          "has one JVM, so every jmeter tool in it must use the same jmeter_home");
    }
    return;
  }
  const fs::path lib = find_libjvm(options.java_home);
  // RTLD_GLOBAL: libjvm's own libraries (libjava, libnet) look its symbols up.
  void* handle = ::dlopen(lib.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr) {
    g_failure = "cannot load " + lib.string() + ": " + ::dlerror();
    throw Error(g_failure);
  }
  auto created = reinterpret_cast<GetCreatedJavaVMs>(::dlsym(handle, "JNI_GetCreatedJavaVMs"));
  auto create = reinterpret_cast<CreateJavaVM>(::dlsym(handle, "JNI_CreateJavaVM"));
  if (created == nullptr || create == nullptr) {
    g_failure = lib.string() + " has no JNI_CreateJavaVM";
    throw Error(g_failure);
  }
  // Someone else in the process (another plugin) may have made one already.
  JavaVM* existing = nullptr;
  jsize n = 0;
  if (created(&existing, 1, &n) == JNI_OK && n > 0) {
    g_failure = "a JVM that loadpilot did not create already runs in this process";
    throw Error(g_failure);
  }
  std::vector<std::string> opts{"-Djava.class.path=" + cp,
                                // The host keeps SIGINT/SIGTERM/SIGHUP/SIGQUIT.
                                "-Xrs", "-Djava.awt.headless=true"};
  opts.insert(opts.end(), options.options.begin(), options.options.end());
  std::vector<JavaVMOption> jopts(opts.size());
  for (std::size_t i = 0; i < opts.size(); ++i) {
    jopts[i].optionString = opts[i].data();
    jopts[i].extraInfo = nullptr;
  }
  JavaVMInitArgs args{};
  args.version = JNI_VERSION_10;
  args.nOptions = static_cast<jint>(jopts.size());
  args.options = jopts.data();
  args.ignoreUnrecognized = JNI_FALSE;
  JavaVM* vm = nullptr;
  JNIEnv* e = nullptr;
  const jint rc = create(&vm, reinterpret_cast<void**>(&e), &args);
  if (rc != JNI_OK) {
    g_failure = "the JVM (" + lib.string() + ") could not start: " + jni_error(rc) +
                " (its own message, if any, is on stderr; check jvm_options)";
    throw Error(g_failure);
  }
  g_vm = vm;
  g_classpath = cp;
  t_attachment.env = e;
  t_attachment.attached_here = true;  // the creating thread is attached too
  jclass local = e->FindClass("org/loadpilot/jmeter/Bridge");
  if (local == nullptr) {
    e->ExceptionClear();
    g_failure =
        "the JVM started but the loadpilot JMeter glue (org.loadpilot.jmeter.Bridge) is not on "
        "its classpath (" +
        std::to_string(options.classpath.size()) +
        " jars); run scripts/setup and build the jmeter_glue target";
    throw Error(g_failure);
  }
  g_bridge = static_cast<jclass>(e->NewGlobalRef(local));
  e->DeleteLocalRef(local);
  g_describe =
      e->GetStaticMethodID(g_bridge, "describe", "(Ljava/lang/Throwable;)Ljava/lang/String;");
  if (g_describe == nullptr) e->ExceptionClear();
}

JNIEnv* env() {
  if (t_attachment.env != nullptr) return t_attachment.env;
  if (g_vm == nullptr) throw Error("internal: the JVM is not created yet");
  JNIEnv* e = nullptr;
  const jint rc = g_vm->GetEnv(reinterpret_cast<void**>(&e), JNI_VERSION_10);
  if (rc == JNI_OK) {
    t_attachment.env = e;
    return e;
  }
  JavaVMAttachArgs a{JNI_VERSION_10, const_cast<char*>("loadpilot-host"), nullptr};
  if (g_vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void**>(&e), &a) != JNI_OK) {
    throw Error("cannot attach this thread to the JVM");
  }
  t_attachment.env = e;
  t_attachment.attached_here = true;
  return e;
}

std::optional<std::string> take_exception(JNIEnv* e) {
  if (!e->ExceptionCheck()) return std::nullopt;
  jthrowable t = e->ExceptionOccurred();
  e->ExceptionClear();
  std::string text = "unknown Java exception";
  if (g_describe != nullptr) {
    auto s = static_cast<jstring>(e->CallStaticObjectMethod(g_bridge, g_describe, t));
    if (e->ExceptionCheck()) {
      e->ExceptionClear();
    } else if (s != nullptr) {
      text = to_string(e, s);
      e->DeleteLocalRef(s);
    }
  }
  e->DeleteLocalRef(t);
  return text;
}

void check(JNIEnv* e, const std::string& what) {
  if (auto ex = take_exception(e)) throw Error(what + ": " + *ex);
}

LocalFrame::LocalFrame(JNIEnv* e, jint capacity) : e_(e) {
  if (e_->PushLocalFrame(capacity) != 0) {
    e_->ExceptionClear();
    throw Error("JVM out of memory (PushLocalFrame)");
  }
}
LocalFrame::~LocalFrame() {
  e_->PopLocalFrame(nullptr);
}

jclass find_class(JNIEnv* e, const char* name) {
  jclass local = e->FindClass(name);
  check(e, std::string("cannot load Java class ") + name);
  auto global = static_cast<jclass>(e->NewGlobalRef(local));
  e->DeleteLocalRef(local);
  return global;
}

jmethodID method(JNIEnv* e, jclass c, const char* name, const char* sig, bool is_static) {
  jmethodID m = is_static ? e->GetStaticMethodID(c, name, sig) : e->GetMethodID(c, name, sig);
  check(e, std::string("no Java method ") + name + sig);
  return m;
}

std::string to_string(JNIEnv* e, jstring s) {
  if (s == nullptr) return {};
  const char* c = e->GetStringUTFChars(s, nullptr);
  if (c == nullptr) {
    e->ExceptionClear();
    return {};
  }
  std::string out(c);
  e->ReleaseStringUTFChars(s, c);
  return out;
}

std::vector<std::string> to_strings(JNIEnv* e, jobjectArray a) {
  std::vector<std::string> out;
  if (a == nullptr) return out;
  const jsize n = e->GetArrayLength(a);
  for (jsize i = 0; i < n; ++i) {
    auto s = static_cast<jstring>(e->GetObjectArrayElement(a, i));
    out.push_back(to_string(e, s));
    e->DeleteLocalRef(s);
  }
  return out;
}

jobjectArray to_java(JNIEnv* e, const std::vector<std::string>& v) {
  jclass string_class = e->FindClass("java/lang/String");
  check(e, "java.lang.String");
  jobjectArray a = e->NewObjectArray(static_cast<jsize>(v.size()), string_class, nullptr);
  e->DeleteLocalRef(string_class);
  check(e, "cannot make a String[]");
  for (std::size_t i = 0; i < v.size(); ++i) {
    jstring s = e->NewStringUTF(v[i].c_str());
    check(e, "cannot make a String");
    e->SetObjectArrayElement(a, static_cast<jsize>(i), s);
    e->DeleteLocalRef(s);
  }
  return a;
}

}  // namespace lp::jmeter
