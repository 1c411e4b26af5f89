/* atk64's parts and what its post-launched attacker (the attack guest, role=post) agrees with it. */
#ifndef ATK64_ATK64_H
#define ATK64_ATK64_H

/* POSTDEV_PHASE values the post attacker writes */
#define PATK_PHASE_HAMMER	1	/* run 1: writing PATK_HAMMER_GPA now; take it away */
#define PATK_PHASE_HAMMERED	2	/* run 1: done writing there */
#define PATK_PHASE_FINAL	3	/* its last attack (which stops the VM) comes next */
#define PATK_PHASE_HAMMER_CLI	4	/* run 1: the same at PATK_HAMMER_CLI_GPA, interrupts off */
#define PATK_PHASE_HAMMERED_CLI	5
#define PATK_PHASE_NEVER	0xFF
#define PATK_RUNS		6	/* one per attack that stops the VM */
#define PATK_RUN_HALT		4	/* the run that halts with interrupts off: atk64 destroys it */
#define PATK_HAMMER_GPA		0xE00000u
#define PATK_HAMMER_SIZE	0x200000u
#define PATK_HAMMER_WORDS	256
#define PATK_HAMMER_CLI_GPA	0xC00000u
#define PATK_HOSTILE_PORT	0x5020	/* run 2: atk64 answers its reads by rewriting the slot */
#define PATK_HOSTILE_READS	32

#ifndef __i386__
void post_attacks(void);
#define POST_ATTACK_TESTS	3
#endif

#endif
