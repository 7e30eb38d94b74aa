"""The textbook fan-out, as pasted from a blog post: paramiko in a pool of 10 threads.

    python3 textbook.py KNOWN_HOSTS KEY PORT USER COMMAND HOST...

One SSHClient per host: connect, exec_command, read stdout, close. Prints one JSON line
{"host", "out"} per host that answered; a host that failed is a line on stderr and nothing
else. Host keys: the bench's known_hosts is loaded, and unknown hosts are auto-added
(AutoAddPolicy, as the textbook does).
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor

import paramiko


def collect(host, known_hosts, key, port, user, command):
    client = paramiko.SSHClient()
    client.load_host_keys(known_hosts)
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    try:
        client.connect(host, port=port, username=user, key_filename=key, timeout=30,
                       allow_agent=False, look_for_keys=False)
        _, stdout, _ = client.exec_command(command)
        return host, stdout.read().decode()
    except Exception as error:  # the textbook's "except Exception: print"
        print(f"{host}: {error}", file=sys.stderr)
        return host, None
    finally:
        client.close()


def main(known_hosts, key, port, user, command, hosts):
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = pool.map(lambda host: collect(host, known_hosts, key, int(port), user, command), hosts)
        for host, out in results:
            if out is not None:
                print(json.dumps({"host": host, "out": out}))


if __name__ == "__main__":
    main(*sys.argv[1:6], sys.argv[6:])
