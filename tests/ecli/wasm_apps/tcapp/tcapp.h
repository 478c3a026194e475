/* tcapp's export header: the type of its packet counter. */
#ifndef TCAPP_H
#define TCAPP_H

struct tc_counter {
	unsigned long long packets;
};

#endif
