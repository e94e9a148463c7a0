/*
 * greeting: the German salutation that opens a mail or a letter to an
 * actor, from how the actor wants to be greeted (salutations in domain.h),
 * an academic title and a family name.  One function, pure, so that mails
 * and drafts greet alike.
 */
#ifndef IKOND_GREETING_H
#define IKOND_GREETING_H

/*
 * "Sehr geehrte Frau Dr. Brunken" (frau), "Sehr geehrter Herr Yilmaz"
 * (herr), "Guten Tag Kim Koordination" (neutral: the full name, with the
 * title in front unless the name starts with it), "Sehr geehrte Damen und
 * Herren" (org).  An unknown or NULL salutation greets as neutral; a NULL
 * or empty family name is the last word of name.  Returns an allocated
 * string without the comma.
 */
char *greeting_de(const char *salutation, const char *title, const char *family_name,
    const char *name);
/* The family name to use: family_name unless NULL or empty, else the last
 * word of name.  Allocated. */
char *greeting_family_name(const char *family_name, const char *name);

#endif
