/*
 * dcbox_dma: the few system calls the SAS data channel's shared-memory transfers need and Node.js
 * does not offer (services/sas/dma.ts): map a file shared, compare-and-swap a 32-bit word of the
 * mapping, and give a range of it back to the kernel. Node-API only, so one build serves every
 * Node.js release from 20 on.
 */
#define NAPI_VERSION 8
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

static void unmap(napi_env env, void *data, void *hint) {
  (void)env;
  munmap(data, (size_t)(uintptr_t)hint);
}

static napi_value fail(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

/* map(fd, bytes): an ArrayBuffer over the first `bytes` of the file, shared with every process
 * that maps it; unmapped when the ArrayBuffer is collected. */
static napi_value map_file(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  int64_t bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int64(env, argv[1], &bytes) != napi_ok || bytes <= 0)
    return fail(env, "EINVAL", "map(fd, bytes) takes an open file and a positive size");
  void *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail(env, "EMMAP", strerror(errno));
  napi_value ab;
  if (napi_create_external_arraybuffer(env, p, (size_t)bytes, unmap, (void *)(uintptr_t)bytes, &ab) !=
      napi_ok) {
    munmap(p, (size_t)bytes);
    return fail(env, "EMMAP", "cannot wrap the mapping in an ArrayBuffer");
  }
  return ab;
}

/* The 32-bit word `index` of an ArrayBuffer from map(), or NULL after throwing. */
static int32_t *word(napi_env env, napi_value ab, napi_value index_value) {
  void *data;
  size_t length;
  int64_t index;
  if (napi_get_arraybuffer_info(env, ab, &data, &length) != napi_ok ||
      napi_get_value_int64(env, index_value, &index) != napi_ok || index < 0 ||
      (uint64_t)(index + 1) * 4 > length) {
    fail(env, "EINVAL", "not a word of the mapping");
    return NULL;
  }
  return (int32_t *)data + index;
}

/* compareExchange(buffer, index, expected, desired): sets word `index` to `desired` if it holds
 * `expected`, atomically across processes; returns what it held. */
static napi_value compare_exchange(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t expected, desired;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
      napi_get_value_int32(env, argv[2], &expected) != napi_ok ||
      napi_get_value_int32(env, argv[3], &desired) != napi_ok)
    return fail(env, "EINVAL", "compareExchange(buffer, index, expected, desired)");
  int32_t *w = word(env, argv[0], argv[1]);
  if (!w) return NULL;
  __atomic_compare_exchange_n(w, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  napi_value out;
  napi_create_int32(env, expected, &out);
  return out;
}

/* discard(buffer, offset, bytes): frees the file's memory under a page-aligned range (it reads
 * back as zeros), for every process that maps it. */
static napi_value discard(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *data;
  size_t length;
  int64_t offset, bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok ||
      napi_get_value_int64(env, argv[1], &offset) != napi_ok ||
      napi_get_value_int64(env, argv[2], &bytes) != napi_ok || offset < 0 || bytes < 0 ||
      (uint64_t)(offset + bytes) > length)
    return fail(env, "EINVAL", "discard(buffer, offset, bytes) takes a range of the mapping");
  if (bytes > 0 && madvise((char *)data + offset, (size_t)bytes, MADV_REMOVE) != 0)
    return fail(env, "EMADVISE", strerror(errno));
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"map", NULL, map_file, NULL, NULL, NULL, napi_default, NULL},
      {"compareExchange", NULL, compare_exchange, NULL, NULL, NULL, napi_default, NULL},
      {"discard", NULL, discard, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
