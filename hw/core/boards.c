/*
 * boards.c - the table of boards -M can choose (kept apart from machine.c
 * so unit tests can build a bare machine without linking every board).
 */
#include <string.h>

#include "hw/core/machine.h"
#include "janus/util.h"

extern const struct board_ops pc_board;

static const struct board_ops *const boards[] = {
    &pc_board,
};

const struct board_ops *machine_find_board(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(boards); i++)
        if (!strcmp(boards[i]->name, name))
            return boards[i];
    return NULL;
}

void machine_print_boards(FILE *f)
{
    fprintf(f, "Supported machines are:\n");
    for (size_t i = 0; i < ARRAY_SIZE(boards); i++)
        fprintf(f, "%-10s %s%s\n", boards[i]->name, boards[i]->desc, i == 0 ? " (default)" : "");
}
