{
  "targets": [
    {
      "target_name": "dcbox_dma",
      "sources": ["native/dma.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
