from labweb.roles import has_perm, user_role


def roles(request):
    user = request.user
    return {
        "user_role": user_role(user),
        "can_triage": has_perm(user, "triage"),
        "can_manage_taxonomy": has_perm(user, "manage_taxonomy"),
    }
