import os

for fd in range(3, 12):  # the answer's channel, wherever it is: garbage in the protocol
    try:
        os.write(fd, b"not a message\n")
    except OSError:
        pass
