import numpy as np

weights = np.ones(2**30)  # 8 GB: more than the sandbox's memory
