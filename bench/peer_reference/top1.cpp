// llama.cpp's top-1 token at every position of one prompt, decoded as the reference
// outputs were made (../shared/reference/README.md: 1 thread, one batch of n_ubatch 256,
// no flash attention, f16 cache), with the repacked weight layouts off (0) or on (1).
// One line per position: the id.
//   top1 MODEL REPACK TOKEN...
#include "llama.h"
#include <cstdio>
#include <cstdlib>
#include <vector>
int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: top1 MODEL REPACK(0|1) TOKEN...\n");
    return 2;
  }
  llama_backend_init();
  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  mp.use_extra_bufts = atoi(argv[2]) != 0;
  llama_model* model = llama_model_load_from_file(argv[1], mp);
  if (model == nullptr) {
    fprintf(stderr, "cannot load %s\n", argv[1]);
    return 1;
  }
  std::vector<llama_token> toks;
  for (int i = 3; i < argc; ++i) toks.push_back(atoi(argv[i]));
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = 256; cp.n_batch = 256; cp.n_ubatch = 256; cp.n_seq_max = 1; cp.n_threads = 1; cp.n_threads_batch = 1;
  cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
  llama_context* ctx = llama_init_from_model(model, cp);
  llama_batch b = llama_batch_init(toks.size(), 0, 1);
  for (size_t i = 0; i < toks.size(); ++i) {
    b.token[i] = toks[i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = 0; b.logits[i] = 1;
  }
  b.n_tokens = toks.size();
  if (llama_decode(ctx, b) != 0) { fprintf(stderr, "decode failed\n"); return 1; }
  const int nv = llama_vocab_n_tokens(llama_model_get_vocab(model));
  for (size_t i = 0; i < toks.size(); ++i) {
    const float* l = llama_get_logits_ith(ctx, i);
    int best = 0;
    for (int t = 1; t < nv; ++t) if (l[t] > l[best]) best = t;
    printf("%d\n", best);
  }
  return 0;
}
