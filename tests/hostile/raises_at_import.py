# hostile: import
raise RuntimeError("this module refuses to load")
