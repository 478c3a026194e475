/* One record per UDP packet to the watched port, from XDP and from tc. */
#ifndef ECLI_TEST_UDPWATCH_H
#define ECLI_TEST_UDPWATCH_H

enum hook { HOOK_XDP = 1, HOOK_TC = 2 };

struct udp_event {
	enum hook hook;
	unsigned int len;        /* UDP payload bytes */
	unsigned short sport;
	unsigned short dport;
};

#endif
