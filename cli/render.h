/*
 * render: prints a reply for people: tables for lists, "key: value" for
 * objects, local times without the offset noise.  --json output bypasses
 * this and prints the data as it came.
 */
#ifndef IKOND_RENDER_H
#define IKOND_RENDER_H

#include <stdio.h>

#include <jansson.h>

void render_human(FILE *f, json_t *data, json_t *columns);
void render_json(FILE *f, json_t *data);

#endif
